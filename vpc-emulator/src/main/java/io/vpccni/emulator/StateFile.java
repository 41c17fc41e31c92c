package io.vpccni.emulator;

import io.vpccni.emulator.api.AdminApi;
import io.vpccni.emulator.model.Vpc;
import io.vpccni.emulator.model.VpcState;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The VPC state as a JSON file, written atomically (temp file, fsync, rename) so a crash never
 * leaves half a state behind.
 */
final class StateFile implements AdminApi.StateStore {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final Vpc vpc;
  private final Path defaultPath;

  StateFile(Vpc vpc, Path defaultPath) {
    this.vpc = vpc;
    this.defaultPath = defaultPath;
  }

  @Override
  public Path save(Path path) throws IOException {
    Path target = resolve(path);
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, target.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, MAPPER.writeValueAsBytes(vpc.snapshot()));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }

  @Override
  public Path load(Path path) throws IOException {
    Path source = resolve(path);
    VpcState state = MAPPER.readValue(Files.readAllBytes(source), VpcState.class);
    if (state.formatVersion != 1) {
      throw new IllegalStateException(
          "state file " + source + " has format " + state.formatVersion + ", expected 1");
    }
    vpc.restore(state);
    return source;
  }

  private Path resolve(Path path) {
    if (path != null) {
      return path;
    }
    if (defaultPath == null) {
      throw new IllegalStateException(
          "no state file: give \"path\" or start the emulator with --state FILE");
    }
    return defaultPath;
  }
}
