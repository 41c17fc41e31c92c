package io.vpccni.emulator;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the emulator until killed: {@code --port N} (default 9696), {@code --state FILE} (loaded at
 * start if present, saved on shutdown), {@code --update-window-ms N}. Prints the base URL on stdout
 * as its one line of output, for scripts.
 */
public final class VpcEmulatorMain {
  private VpcEmulatorMain() {}

  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "vpc-emulator-logback.xml");
    }
    Logger logger = LoggerFactory.getLogger(VpcEmulatorMain.class);
    VpcEmulator.Options options = VpcEmulator.Options.defaults().withPort(9696);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--port" -> options = options.withPort(Integer.parseInt(require(a, value)));
        case "--state" -> options = options.withStateFile(Path.of(require(a, value)));
        case "--data-plane" -> options = options.withDataPlane(require(a, value));
        case "--update-window-ms" ->
            options = options.withUpdateWindowMillis(Long.parseLong(require(a, value)));
        case "--help", "-h" -> {
          System.out.println(
              "usage: vpc-emulator [--port N] [--state FILE] [--update-window-ms N] [--data-plane PREFIX]");
          return;
        }
        default -> {
          System.err.println("vpc-emulator: unknown argument " + a + " (try --help)");
          System.exit(2);
        }
      }
      i++;
    }
    VpcEmulator emulator = VpcEmulator.start(options);
    boolean persist = options.stateFile() != null;
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    if (persist) {
                      emulator.save(null);
                    }
                  } catch (Exception e) {
                    logger.error("failed to save state at shutdown", e);
                  } finally {
                    emulator.close();
                    done.countDown();
                  }
                }));
    System.out.println(emulator.baseUrl());
    logger.info("VPC emulator listening");
    done.await();
  }

  private static String require(String flag, String value) {
    if (value == null) {
      System.err.println("vpc-emulator: " + flag + " needs a value");
      System.exit(2);
    }
    return value;
  }
}
