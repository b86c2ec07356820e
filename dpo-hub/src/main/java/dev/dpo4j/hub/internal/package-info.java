/**
 * The pieces behind {@link dev.dpo4j.hub.HubClient}, one idea each: repository id checks ({@code RepoIds}), the
 * Hub's URLs and JSON answers ({@code HubApi}) over HTTP ({@code HubHttp}), the paged tree listing
 * ({@code TreeListing}), model snapshots ({@code SnapshotResolver}) and dataset split listings
 * ({@code DatasetResolver}), single cached files ({@code FileDownloads}) whose bytes arrive through a resumed,
 * checksummed, retried transfer ({@code FileTransfer}), and the fall back to the cache when the Hub cannot be
 * reached ({@code CacheFallback}). Behind {@link dev.dpo4j.hub.HubUploader}: repository creation and commits
 * ({@code RepoUploads}) over retried, token-safe requests ({@code UploadHttp}), the files as the Hub sees them
 * ({@code LocalBlob}), the preupload step ({@code Preupload}), Git LFS uploads ({@code LfsUploads},
 * {@code LfsMultipart}) and the NDJSON commit body ({@code CommitBody}). Not an API: these classes may change without
 * notice; use the facades.
 */
package dev.dpo4j.hub.internal;
