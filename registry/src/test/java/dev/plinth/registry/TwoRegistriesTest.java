package dev.plinth.registry;

import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** What the tests against two small registries on 127.0.0.1 share: started and closed each test. */
abstract class TwoRegistriesTest {
  FakeRegistry reg;
  FakeRegistry other;

  @BeforeEach
  void start() throws IOException {
    reg = new FakeRegistry();
    other = new FakeRegistry();
  }

  @AfterEach
  void stop() {
    reg.close();
    other.close();
  }

  /** {@code repoTag} on {@link #reg}. */
  RegistryRef ref(String repoTag) throws PlinthException {
    return RegistryRef.parse(reg.host() + "/" + repoTag);
  }

  /** Pushes {@code index} to {@link #reg} as {@code repoTag}, then forgets what reg saw. */
  ImageIndex pushed(String repoTag, ImageIndex index) throws Exception {
    RegistrySink.push(index, ref(repoTag), HostileRegistryTest.opts());
    reg.log.clear();
    return index;
  }
}
