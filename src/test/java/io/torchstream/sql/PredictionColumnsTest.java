package io.torchstream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.Entities;
import io.torchstream.internal.task.Entity;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OUTPUT columns: checked by name and type, written in declared order in Flink's internal formats. */
class PredictionColumnsTest {

    private static PredictionColumns columns(PredictionColumns.Kind kind, Column... columns) {
        return PredictionColumns.check("Model m", kind, ResolvedSchema.of(columns));
    }

    private static Classification classification() {
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("neg", 0.2);
        scores.put("pos", 0.8);
        return new Classification("pos", 0.8, scores, true);
    }

    @Test
    void writesAClassificationInDeclaredOrder() {
        PredictionColumns c = columns(
                PredictionColumns.Kind.CLASSIFICATION,
                Column.physical("scores", DataTypes.MAP(DataTypes.STRING(), DataTypes.DOUBLE())),
                Column.physical("label", DataTypes.STRING()),
                Column.physical("truncated", DataTypes.BOOLEAN()),
                Column.physical("score", DataTypes.DOUBLE()),
                Column.physical("model_version", DataTypes.STRING()));
        RowData row = c.write(classification(), null, "7");
        assertThat(row.getArity()).isEqualTo(5);
        assertThat(row.getString(4)).isEqualTo(StringData.fromString("7"));
        MapData scores = row.getMap(0);
        assertThat(scores.size()).isEqualTo(2);
        assertThat(scores.keyArray().getString(0)).isEqualTo(StringData.fromString("neg"));
        assertThat(scores.valueArray().getDouble(1)).isEqualTo(0.8);
        assertThat(row.getString(1)).isEqualTo(StringData.fromString("pos"));
        assertThat(row.getBoolean(2)).isTrue();
        assertThat(row.getDouble(3)).isEqualTo(0.8);
    }

    @Test
    void aClassificationByLabelsCanCarryItsEmbedding() {
        PredictionColumns c = columns(
                PredictionColumns.Kind.LABELS,
                Column.physical("label", DataTypes.STRING()),
                Column.physical("embedding", DataTypes.ARRAY(DataTypes.FLOAT())));
        RowData row = c.write(classification(), new Embedding(new float[] {0.5f, -1f}, false), "1");
        ArrayData vector = row.getArray(1);
        assertThat(vector.size()).isEqualTo(2);
        assertThat(vector.getFloat(1)).isEqualTo(-1f);
    }

    @Test
    void writesEntitiesWithTheDeclaredFields() {
        PredictionColumns c = columns(
                PredictionColumns.Kind.TAGGING,
                Column.physical(
                        "entities",
                        DataTypes.ARRAY(DataTypes.ROW(
                                DataTypes.FIELD("end", DataTypes.INT()),
                                DataTypes.FIELD("entity_group", DataTypes.STRING()),
                                DataTypes.FIELD("index", DataTypes.INT().notNull())))));
        RowData row = c.write(
                new Entities(
                        List.of(
                                new Entity("PER", true, 0.9, -1, "Ada", 0, 3, Entity.MODEL),
                                new Entity("LOC", true, 0.7, -1, "Paris", 10, 15, Entity.MODEL)),
                        false),
                null,
                "1");
        ArrayData entities = row.getArray(0);
        assertThat(entities.size()).isEqualTo(2);
        RowData second = entities.getRow(1, 3);
        assertThat(second.getInt(0)).isEqualTo(15);
        assertThat(second.getString(1)).isEqualTo(StringData.fromString("LOC"));
        assertThat(second.isNullAt(2))
                .as("aggregated entities have no token index")
                .isTrue();
    }

    @Test
    void aNullInputGivesARowOfNulls() {
        RowData row = columns(
                        PredictionColumns.Kind.EMBEDDING,
                        Column.physical("embedding", DataTypes.ARRAY(DataTypes.FLOAT())),
                        Column.physical("truncated", DataTypes.BOOLEAN()))
                .nulls();
        assertThat(row.getArity()).isEqualTo(2);
        assertThat(row.isNullAt(0)).isTrue();
        assertThat(row.isNullAt(1)).isTrue();
    }

    @Test
    void nestedNullabilityDoesNotMatterButTopLevelNotNullIsRefused() {
        columns(
                PredictionColumns.Kind.EMBEDDING,
                Column.physical("embedding", DataTypes.ARRAY(DataTypes.FLOAT().notNull())));
        assertThatThrownBy(() -> columns(
                        PredictionColumns.Kind.EMBEDDING,
                        Column.physical(
                                "embedding", DataTypes.ARRAY(DataTypes.FLOAT()).notNull())))
                .isInstanceOf(ValidationException.class)
                .hasMessage(
                        "Model m: OUTPUT column 'embedding' is ARRAY<FLOAT> NOT NULL but must be nullable: a NULL input text"
                                + " gives NULL outputs. Declare it as ARRAY<FLOAT>.");
    }

    @Test
    void unknownColumnsAndEntityFieldsAreNamed() {
        assertThatThrownBy(() -> columns(
                        PredictionColumns.Kind.CLASSIFICATION, Column.physical("confidence", DataTypes.DOUBLE())))
                .hasMessage(
                        "Model m: OUTPUT column 'confidence' is not an output of sequence classification. The bundle's task"
                                + " (sequence classification) offers: label STRING, score DOUBLE, scores MAP<STRING, DOUBLE>, truncated BOOLEAN,"
                                + " model_version STRING.");
        assertThatThrownBy(() -> columns(
                        PredictionColumns.Kind.TAGGING,
                        Column.physical(
                                "entities",
                                DataTypes.ARRAY(DataTypes.ROW(DataTypes.FIELD("type", DataTypes.STRING()))))))
                .hasMessageStartingWith(
                        "Model m: OUTPUT column 'entities' has a field 'type' that entities do not have; expected"
                                + " ARRAY<ROW<...>> with any of the fields entity_group STRING, entity STRING, score DOUBLE, word STRING,"
                                + " start INT, end INT, index INT");
        assertThatThrownBy(
                        () -> columns(PredictionColumns.Kind.TAGGING, Column.physical("entities", DataTypes.STRING())))
                .hasMessageContaining("OUTPUT column 'entities' is STRING; expected ARRAY<ROW<...>>");
        assertThatThrownBy(() -> columns(PredictionColumns.Kind.TAGGING))
                .hasMessageContaining("OUTPUT declares no column");
    }
}
