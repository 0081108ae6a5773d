package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A quiet node's heap is collected now and then, so that what a burst took goes back to the system. */
class MemoryReturnTest {

  @Test
  void theNodeSetsG1sPeriodicCollectionUnlessTheCommandLineDid() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    VMOption before = vm.getVMOption(MemoryReturn.OPTION);
    Assumptions.assumeTrue(before.getOrigin() != VMOption.Origin.VM_CREATION, "set on this JVM's command line");
    MemoryReturn.enable();
    assertEquals(String.valueOf(MemoryReturn.INTERVAL_MS), vm.getVMOption(MemoryReturn.OPTION).getValue());
  }

  @Test
  void onlyAnOptionLeftAsTheJvmStartedIsTheNodesToSet() {
    assertTrue(MemoryReturn.ours(new VMOption("G1PeriodicGCInterval", "0", true, VMOption.Origin.DEFAULT)));
    assertFalse(MemoryReturn.ours(new VMOption("G1PeriodicGCInterval", "0", true, VMOption.Origin.VM_CREATION)),
        "-XX:G1PeriodicGCInterval=0 on the command line: off, as asked");
    assertFalse(MemoryReturn.ours(new VMOption("G1PeriodicGCInterval", "5000", true, VMOption.Origin.ENVIRON_VAR)));
    assertFalse(MemoryReturn.ours(new VMOption("G1PeriodicGCInterval", "0", false, VMOption.Origin.DEFAULT)));
  }
}
