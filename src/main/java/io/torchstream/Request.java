package io.torchstream;

import io.torchstream.internal.text.TextInput;

/** An element admitted to a micro-batch, with the text its function gave, and its record's timestamp. */
record Request<T>(T value, TextInput input, long timestamp, boolean hasTimestamp) {}
