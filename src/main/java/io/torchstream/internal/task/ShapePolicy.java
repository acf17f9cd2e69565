package io.torchstream.task;

import io.torchstream.bundle.BundleManifest;
import io.torchstream.bundle.TraceShape;

import java.util.List;

/** Which of a bundle's shapes a model runs at. */
public enum ShapePolicy {
    /** Every shape the exporter verified: each batch runs at the smallest that holds it. */
    VERIFIED,
    /** Only the traced shape, as a plain TorchScript deployment pads every batch to it. */
    TRACED;

    List<TraceShape> shapes(BundleManifest manifest) {
        return this == TRACED ? List.of(manifest.traceShape()) : manifest.shapes();
    }
}
