package io.vpccni.testkit.kube;

import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One fabric8 mock API server in CRUD mode for the annotated test class: its client goes into the
 * class's static {@code KubernetesClient} field, the server into a static {@code
 * KubernetesMockServer} field if there is one. See {@link MockKubeApiExtension} for why this and
 * not fabric8's {@code @EnableKubernetesMockClient}.
 */
@Target(TYPE)
@Retention(RUNTIME)
@ExtendWith(MockKubeApiExtension.class)
public @interface MockKubeApi {}
