package io.torchstream;

/** What became of one element of a batch: its result, or why the model could not give one. */
record Outcome<R>(R result, String error) {

    static <R> Outcome<R> of(R result) {
        return new Outcome<>(result, null);
    }

    static <R> Outcome<R> failed(String error) {
        return new Outcome<>(null, error);
    }
}
