package io.vpccni.emulator;

import io.vpccni.emulator.api.ApiServer;
import io.vpccni.emulator.dataplane.NamespaceDataPlane;
import io.vpccni.emulator.dataplane.NetnsFactory;
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
  private final NamespaceDataPlane dataPlane;

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
    this.dataPlane =
        options.dataPlanePrefix() == null
            ? null
            : new NamespaceDataPlane(options.dataPlanePrefix(), new NetnsFactory());
    try {
      if (dataPlane != null) {
        vpc.setListener(dataPlane);
        vpc.replay(); // the state file was loaded before the data plane existed
      }
      this.server = new ApiServer(options.port(), vpc, faults, stateFile);
    } catch (IOException | RuntimeException e) {
      if (dataPlane != null) {
        dataPlane.close();
      }
      throw e;
    }
  }

  /**
   * Options of a start.
   *
   * @param port TCP port on 127.0.0.1, 0 for any
   * @param stateFile loaded at start when it exists, the default of save/load; may be null
   * @param updateWindowMillis the read-to-write window of a port update (see {@link Vpc})
   * @param dataPlanePrefix null for no data plane; else the unique prefix of the namespaces the
   *     data plane makes (needs root)
   */
  public record Options(int port, Path stateFile, long updateWindowMillis, String dataPlanePrefix) {
    /** Port 0, no state file, a 20 ms update window, no data plane. */
    public static Options defaults() {
      return new Options(0, null, 20, null);
    }

    public Options withPort(int p) {
      return new Options(p, stateFile, updateWindowMillis, dataPlanePrefix);
    }

    public Options withStateFile(Path f) {
      return new Options(port, f, updateWindowMillis, dataPlanePrefix);
    }

    public Options withUpdateWindowMillis(long ms) {
      return new Options(port, stateFile, ms, dataPlanePrefix);
    }

    public Options withDataPlane(String prefix) {
      return new Options(port, stateFile, updateWindowMillis, prefix);
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

  /** The namespace data plane, when started with one. */
  public java.util.Optional<NamespaceDataPlane> dataPlane() {
    return java.util.Optional.ofNullable(dataPlane);
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      if (dataPlane != null) {
        dataPlane.close();
      }
    }
  }
}
