package io.vpccni.testkit.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.MockWebServerListener;
import io.fabric8.mockwebserver.http.RecordedHttpConnection;
import io.vpccni.kubemock.WatchSafeCrudDispatcher;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the mock API server before a test class and stops it after, like fabric8's {@code
 * KubernetesMockServerExtension}, with two differences.
 *
 * <p>Its dispatcher is {@link WatchSafeCrudDispatcher}: with fabric8's own, a test that closes an
 * informer at the wrong moment stalls the server for up to a minute (this failed CI once, as
 * "Unable to close MockWebServer" from a class whose tests had all passed, and once took a test
 * class 30 s here).
 *
 * <p>Its teardown closes the client before the server, counts the server's open connections, and
 * reports a server close that outlasts the mock server's own 10 s wait on stderr, with that count,
 * instead of failing the class after its tests passed: the tests' verdicts stand. What the code
 * under test must close (its informers, watches) is asserted by its own tests, not by this
 * teardown. It also does not start a second server for every test method: only static fields are
 * filled, and an instance field of those types is an error.
 */
public final class MockKubeApiExtension implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(MockKubeApiExtension.class);

  private record Running(
      KubernetesMockServer server, KubernetesClient client, AtomicInteger openConnections) {}

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Class<?> testClass = context.getRequiredTestClass();
    List<Field> clientFields = fields(testClass, KubernetesClient.class);
    List<Field> serverFields = fields(testClass, KubernetesMockServer.class);
    if (clientFields.isEmpty() && serverFields.isEmpty()) {
      throw new ExtensionConfigurationException(
          testClass.getName()
              + " is annotated @MockKubeApi but has no static KubernetesClient or"
              + " KubernetesMockServer field to fill");
    }
    AtomicInteger open = new AtomicInteger();
    MockWebServer web = new MockWebServer();
    web.addListener(
        new MockWebServerListener() {
          @Override
          public void onConnection(RecordedHttpConnection connection) {
            open.incrementAndGet();
          }

          @Override
          public void onConnectionClosed(RecordedHttpConnection connection) {
            open.decrementAndGet();
          }
        });
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            web,
            new HashMap<>(),
            new WatchSafeCrudDispatcher(),
            true);
    server.init();
    KubernetesClient client = server.createClient();
    context.getStore(NS).put(Running.class, new Running(server, client, open));
    for (Field f : clientFields) {
      f.set(null, client);
    }
    for (Field f : serverFields) {
      f.set(null, server);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Running running = context.getStore(NS).remove(Running.class, Running.class);
    if (running == null) {
      return;
    }
    running.client().close();
    try {
      running.server().destroy();
    } catch (IllegalStateException e) {
      if (!String.valueOf(e.getMessage()).startsWith("Unable to close")) {
        throw e;
      }
      System.err.printf(
          "WARNING: %s: the mock API server did not finish closing within its 10 s wait"
              + " (%d connections still open); its port is closed and the tests' results"
              + " stand: %s%n",
          context.getRequiredTestClass().getSimpleName(), running.openConnections().get(), e);
    }
  }

  private static List<Field> fields(Class<?> testClass, Class<?> type) {
    List<Field> found = new ArrayList<>();
    for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (!f.getType().isAssignableFrom(type) || f.getType() == Object.class) {
          continue;
        }
        if (!Modifier.isStatic(f.getModifiers())) {
          throw new ExtensionConfigurationException(
              c.getName()
                  + "."
                  + f.getName()
                  + ": @MockKubeApi fills static fields only (one server per test class)");
        }
        f.setAccessible(true);
        found.add(f);
      }
    }
    return found;
  }
}
