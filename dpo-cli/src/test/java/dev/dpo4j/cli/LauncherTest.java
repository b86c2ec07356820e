package dev.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The scripts that start the command (the distribution is built in the package phase, after the tests, so these
 * check the scripts themselves): {@code ./dpo} at the root and the distribution's {@code bin/dpo}.
 */
class LauncherTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theRootLauncherBuildsOnceThenExecsTheDistribution() throws IOException {
        Path launcher = ROOT.resolve("dpo");
        assertThat(Files.isExecutable(launcher)).as(launcher + " is executable").isTrue();
        String script = Files.readString(launcher);
        assertThat(script).startsWith("#!/usr/bin/env bash\n")
                .contains("mvn -q -B -DskipTests package -pl dpo-cli -am")
                .contains("dist=\"$root/dpo-cli/target/dpo\"")
                .endsWith("exec \"$dist/bin/dpo\" \"$@\"\n");
        // it never changes folder for the command itself, only in the build's subshell
        assertThat(script.lines().filter(line -> line.contains("cd ")))
                .allMatch(line -> line.contains("$(cd ") || line.contains("(cd \"$root\" && mvn"));
    }

    @Test
    void theDistributionScriptRunsTheMainClassWithTheArgumentsUntouched() throws IOException {
        Path bin = Path.of("src/main/dist/bin/dpo");
        assertThat(Files.isExecutable(bin)).as(bin + " is executable").isTrue();
        String script = Files.readString(bin);
        assertThat(script).startsWith("#!/bin/sh\n").contains("-cp \"$home/lib/*\" " + DpoCommand.class.getName()
                + " \"$@\"").contains("exec \"$java\"");
        assertThat(Files.readString(Path.of("src/assembly/dir.xml"))).contains("<fileMode>0755</fileMode>");
        assertThat(Files.readString(Path.of("src/assembly/tar.xml"))).contains("<fileMode>0755</fileMode>");
    }
}
