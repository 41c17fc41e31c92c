package io.vpccni.emulator;

import io.vpccni.emulator.api.ApiServer;
import io.vpccni.emulator.faults.Faults;
import io.vpccni.emulator.model.Vpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A running emulator: the VPC model, its faults and the HTTP API on 127.0.0.1. Start one per test
 * with port 0; {@link #baseUrl()} is where the Neutron API lives ({@code BASE/v2.0}), Compute
 * ({@code BASE/v2.1}) and the admin API ({@code BASE/emulator}).
 */
public final class VpcEmulator implements AutoCloseable {
  private final Vpc vpc;
  private final Faults faults;
  private final StateFile stateFile;
  private final ApiServer server;

  private VpcEmulator(Options options) throws IOException {
    this.vpc = new Vpc();
    this.faults = new Faults(new Random());
    faults.setUpdateWindowMillis(options.updateWindowMillis());
    vpc.setPortVisibilityDelay(faults::portVisibilityDelayMillis);
    vpc.setUpdateWindow(faults::updateWindowMillis);
    this.stateFile = new StateFile(vpc, options.stateFile());
    if (options.stateFile() != null && Files.exists(options.stateFile())) {
      stateFile.load(null);
    }
    this.server = new ApiServer(options.port(), vpc, faults, stateFile);
  }

  /**
   * Options of a start.
   *
   * @param port TCP port on 127.0.0.1, 0 for any
   * @param stateFile loaded at start when it exists, the default of save/load; may be null
   * @param updateWindowMillis the read-to-write window of a port update (see {@link Vpc})
   */
  public record Options(int port, Path stateFile, long updateWindowMillis) {
    /** Port 0, no state file, a 20 ms update window. */
    public static Options defaults() {
      return new Options(0, null, 20);
    }

    public Options withPort(int p) {
      return new Options(p, stateFile, updateWindowMillis);
    }

    public Options withStateFile(Path f) {
      return new Options(port, f, updateWindowMillis);
    }

    public Options withUpdateWindowMillis(long ms) {
      return new Options(port, stateFile, ms);
    }
  }

  public static VpcEmulator start(Options options) {
    try {
      return new VpcEmulator(options);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to start the VPC emulator: " + e.getMessage(), e);
    }
  }

  public static VpcEmulator start() {
    return start(Options.defaults());
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public URI baseUrl() {
    return server.baseUri();
  }

  public Vpc vpc() {
    return vpc;
  }

  public Faults faults() {
    return faults;
  }

  /** Saves the state to {@code path}, or to the configured state file when null. */
  public Path save(Path path) throws IOException {
    return stateFile.save(path);
  }

  public Path load(Path path) throws IOException {
    return stateFile.load(path);
  }

  @Override
  public void close() {
    server.close();
  }
}
