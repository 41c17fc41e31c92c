/**
 * OCI images written by hand: a deterministic tar writer ({@link io.vpccni.e2e.image.Tar}), a
 * directory tree as a layer ({@link io.vpccni.e2e.image.TreeLayer}), the image layout with its
 * config, manifest and index ({@link io.vpccni.e2e.image.OciLayout}), and the command {@code make
 * image} runs ({@link io.vpccni.e2e.image.ImageMain}). The harness's busybox sandbox image is
 * written with the same writer.
 *
 * <p>JDK only: {@code make image} runs it from the e2e jar with no class path beyond it. It must
 * not import the runtime harness or any product module.
 */
package io.vpccni.e2e.image;
