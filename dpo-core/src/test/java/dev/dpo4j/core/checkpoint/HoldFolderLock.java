package dev.dpo4j.core.checkpoint;

import java.nio.file.Path;

/** Holds a folder's lock in a process of its own until killed: {@code HoldFolderLock FOLDER}. */
public final class HoldFolderLock {

    private HoldFolderLock() {
    }

    public static void main(String[] args) throws InterruptedException {
        FolderLock.acquire(Path.of(args[0]), "output_dir");
        System.out.println("locked");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
