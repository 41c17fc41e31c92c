package io.vpccni.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a rendered object into fabric8's typed model, strictly: a field the Kubernetes API does not
 * know fails, with its path. fabric8's classes collect unknown fields in {@code
 * additionalProperties} through {@code @JsonAnySetter}; this mapper ignores that annotation, so
 * Jackson's FAIL_ON_UNKNOWN_PROPERTIES applies to every object.
 */
final class StrictModel {
  /** The kinds the chart may render, by "apiVersion/kind". */
  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.ofEntries(
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/Secret", Secret.class),
          Map.entry("v1/ServiceAccount", ServiceAccount.class),
          Map.entry("apps/v1/DaemonSet", DaemonSet.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class),
          Map.entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class),
          Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
          Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
          Map.entry(
              "apiextensions.k8s.io/v1/CustomResourceDefinition", CustomResourceDefinition.class),
          // No Java type yet (its CRD is being written in the crd module): checked as a generic
          // object, for apiVersion, kind and metadata only.
          Map.entry("vpc-cni.io/v1alpha1/SubnetPool", GenericKubernetesResource.class));

  private static final JsonMapper STRICT =
      JsonMapper.builder()
          .annotationIntrospector(
              new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
                  return Boolean.FALSE;
                }
              })
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  private StrictModel() {}

  /** The typed object; an unknown kind or an unknown field throws. */
  static HasMetadata read(JsonNode doc) {
    String key = doc.path("apiVersion").asString("") + "/" + doc.path("kind").asString("");
    Class<? extends HasMetadata> type = KINDS.get(key);
    if (type == null) {
      throw new IllegalArgumentException("the chart renders an unexpected kind " + key);
    }
    if (type == GenericKubernetesResource.class) {
      return new JsonMapper().treeToValue(doc, type);
    }
    return STRICT.treeToValue(doc, type);
  }
}
