package dev.dpo4j.hub;

import java.net.URI;
import java.nio.file.Path;

/** A separate process for the concurrency test: downloads a model snapshot and prints its folder. */
public final class HubDownloadMain {

    private HubDownloadMain() {
    }

    public static void main(String[] args) {
        HubClient client = HubClient.builder().options(new HubOptions(URI.create(args[0]), Path.of(args[1]), null,
                false)).listener(DownloadListener.silent()).build();
        System.out.println(client.snapshot(args[2]));
    }
}
