package io.vpccni.emulator.api;

import io.vpccni.emulator.model.VpcException;
import java.util.Optional;

/** One API family served under a path prefix, with its own error body shape. */
interface Api {
  /** The route for a request under this API's prefix; empty when no resource matches. */
  Optional<Route> route(Request request);

  /** The error body this API's real server sends for a status, type and message. */
  Response error(int status, String type, String message);

  default Response error(VpcException e) {
    return error(e.status(), e.type(), e.getMessage());
  }
}
