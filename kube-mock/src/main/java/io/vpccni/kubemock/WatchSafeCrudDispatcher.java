package io.vpccni.kubemock;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * fabric8's CRUD dispatcher with one fix: a watch that its client closes no longer stalls the
 * server for up to 30 s.
 *
 * <p>In fabric8's mock server (8.0) a client's close frame makes the watch listener queue the
 * server's own close on the watch's executor ({@code onClosing}), and then, on the Vert.x event
 * loop, wait for that executor to finish ({@code onClosed}). The queued close itself needs the
 * event loop, so the two wait on each other until a timeout: every connection on that event loop
 * (CRUD calls, other watches) stalls meanwhile, and a server shut down in that state fails to close
 * within its 10 s. Seen here as a test taking 30 s with Vert.x's "Thread blocked" warnings in
 * {@code WatchEventsListener.onClosed}, and as CI's "Unable to close MockWebServer". Running {@code
 * onClosed} off the event loop breaks the cycle; every other callback is passed through as is.
 */
public class WatchSafeCrudDispatcher extends KubernetesCrudDispatcher {
  private final ExecutorService closer =
      Executors.newThreadPerTaskExecutor(
          Thread.ofPlatform().name("mock-watch-closed-", 0).daemon(true).factory());

  @Override
  public MockResponse handleWatch(String path) {
    MockResponse response = super.handleWatch(path);
    WebSocketListener listener = response.getWebSocketListener();
    return listener == null ? response : response.withWebSocketUpgrade(new OffLoopClosed(listener));
  }

  private final class OffLoopClosed extends WebSocketListener {
    private final WebSocketListener delegate;

    OffLoopClosed(WebSocketListener delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
      delegate.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      delegate.onOpen(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      delegate.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
      delegate.onMessage(webSocket, bytes);
    }

    @Override
    public void onPing(WebSocket webSocket, byte[] bytes) {
      delegate.onPing(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      delegate.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      closer.execute(() -> delegate.onClosed(webSocket, code, reason));
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      delegate.onFailure(webSocket, t, response);
    }
  }
}
