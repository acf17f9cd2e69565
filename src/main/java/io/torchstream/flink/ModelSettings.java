package io.torchstream.flink;

import java.io.Serializable;

/**
 * How the inference function loads and reports its model.
 *
 * @param bundle the bundle folder, as seen by the TaskManagers
 * @param sharing one model per slot, or one per TaskManager
 * @param intraOpThreads libtorch threads per TaskManager process; 0 picks cores / slots
 * @param includeScores whether classification results carry every label's score
 */
public record ModelSettings(String bundle, ModelSharing sharing, int intraOpThreads, boolean includeScores)
        implements Serializable {}
