package io.vpccni.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vpccni.netaddr.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
  @TempDir Path dir;

  static Allocation alloc(String id, String ip, Allocation.State s) {
    return new Allocation(
        id,
        "eth0",
        IpAddress.parse(ip),
        "eni-1",
        "default/" + id,
        "/run/netns/" + id,
        "vpc" + id,
        "",
        s,
        1000);
  }

  @Test
  void savesAndLoadsEverything() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    Allocation a = alloc("c1", "10.0.1.5", Allocation.State.READY);
    Allocation b = alloc("c2", "10.0.1.6", Allocation.State.PENDING).withEniIf("eth2");
    store.save(
        new StoreState(Map.of(a.key(), a, b.key(), b), Map.of(IpAddress.parse("10.0.1.7"), 99L)));
    StoreState back = new CheckpointStore(dir).load();
    assertThat(back.allocations()).containsEntry(a.key(), a).containsEntry(b.key(), b);
    assertThat(back.cooldown()).containsEntry(IpAddress.parse("10.0.1.7"), 99L);
  }

  @Test
  void emptyDirectoryIsAnEmptyState() throws IOException {
    assertThat(new CheckpointStore(dir).load()).isEqualTo(StoreState.empty());
  }

  @Test
  void leftoverTempFileFromACrashIsIgnored() throws IOException {
    CheckpointStore store = new CheckpointStore(dir);
    Allocation a = alloc("c1", "10.0.1.5", Allocation.State.READY);
    store.save(new StoreState(Map.of(a.key(), a), Map.of()));
    Files.writeString(
        dir.resolve("state.json.tmp"), "{\"format\":1,\"allocations\":[{\"contai"); // torn write
    assertThat(new CheckpointStore(dir).load().allocations()).containsOnlyKeys(a.key());
  }

  @Test
  void corruptStoreRefusesToLoadInsteadOfStartingEmpty() throws IOException {
    Files.writeString(dir.resolve("state.json"), "{\"format\":1,\"allocations\":[{]}");
    assertThatThrownBy(() -> new CheckpointStore(dir).load())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("corrupt");
  }

  @Test
  void unknownFormatIsRefused() throws IOException {
    Files.writeString(dir.resolve("state.json"), "{\"format\":9,\"allocations\":[]}");
    assertThatThrownBy(() -> new CheckpointStore(dir).load()).hasMessageContaining("format");
  }
}
