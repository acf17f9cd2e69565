package io.torchstream.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.bundle.TraceShape;
import io.torchstream.internal.text.EncodedText;

import org.junit.jupiter.api.Test;

import java.util.List;

class PaddedBatchTest {

    private static EncodedText row(long... ids) {
        int[] spans = new int[ids.length];
        return new EncodedText(ids, new long[ids.length], new String[ids.length], spans, spans, false);
    }

    @Test
    void padsRowsAndTheBatchToTheShape() {
        PaddedBatch batch = PaddedBatch.of(List.of(row(101, 7, 102), row(101, 102)), new TraceShape(3, 4), 9, 0);
        assertThat(batch.rows()).isEqualTo(2);
        assertThat(batch.inputIds()).containsExactly(101, 7, 102, 9, 101, 102, 9, 9, 9, 9, 9, 9);
        // Filler rows attend to one token so that no kernel sees a fully masked row.
        assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0);
        assertThat(batch.realTokens()).isEqualTo(5);
        assertThat(batch.paddingRatio()).isEqualTo(1 - 5 / 12.0);
        assertThat(batch.input("token_type_ids")).hasSize(12);
    }

    @Test
    void refusesWhatDoesNotFit() {
        TraceShape shape = new TraceShape(1, 2);
        assertThatThrownBy(() -> PaddedBatch.of(List.of(row(1, 2, 3)), shape, 0, 0))
                .hasMessageContaining("does not fit");
        assertThatThrownBy(() -> PaddedBatch.of(List.of(row(1), row(2)), shape, 0, 0))
                .hasMessageContaining("do not fit");
        assertThatThrownBy(() -> PaddedBatch.of(List.of(), shape, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
