package io.vpccni.netlink.internal;

import io.vpccni.netlink.Scope;

/** Scope values read from the kernel; numeric scopes without a name read as global. */
final class MessageScopes {
  private MessageScopes() {}

  static Scope of(int value) {
    return switch (value) {
      case 200 -> Scope.SITE;
      case 253 -> Scope.LINK;
      case 254 -> Scope.HOST;
      case 255 -> Scope.NOWHERE;
      default -> Scope.UNIVERSE;
    };
  }
}
