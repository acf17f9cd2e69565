package io.torchstream.internal.task;

import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.TraceShape;

import java.util.List;

/** Which of a bundle's shapes a model runs at. */
public enum ShapePolicy {
    /** Only the traced shape, as a plain TorchScript deployment pads every batch to it. */
    TRACED("traced"),
    /** Every shape the exporter verified: each batch runs at the smallest that holds it. */
    VERIFIED("verified");

    private final String id;

    ShapePolicy(String id) {
        this.id = id;
    }

    /** The name used in job files and model options. */
    public String id() {
        return id;
    }

    public List<TraceShape> shapes(BundleManifest manifest) {
        return this == TRACED ? List.of(manifest.traceShape()) : manifest.shapes();
    }
}
