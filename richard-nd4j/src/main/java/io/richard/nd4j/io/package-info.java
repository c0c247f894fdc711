/**
 * Model files: Richard's own {@link io.richard.nd4j.io.ModelArchive} (a ZIP of the model description and NumPy
 * {@code .npy} parameters), training {@link io.richard.nd4j.io.Checkpoint}s (an archive plus the training state),
 * the C++ reference's binary {@link io.richard.nd4j.io.ReferenceNetworkFile}, the {@link io.richard.nd4j.io.Npy}
 * array format, and {@link io.richard.nd4j.io.Models#load} for either kind of file. Files are written atomically
 * (temporary file, fsync, rename, fsync of the folder); reading checks everything and reports problems as
 * {@link io.richard.api.ModelFormatException}s that name the file and what is wrong.
 */
package io.richard.nd4j.io;
