package io.torchstream.sql;

import io.torchstream.internal.task.Classification;
import io.torchstream.internal.task.Embedding;
import io.torchstream.internal.task.Entities;
import io.torchstream.internal.task.Entity;
import io.torchstream.internal.task.Prediction;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The OUTPUT columns of a torchscript model: checked against what the bundle's task gives when the
 * query is planned, then written from each prediction in the declared order, in Flink's internal
 * formats. Columns are matched by name, in any order and any subset; a NULL input gives a row of NULLs,
 * which is why every column must be nullable.
 */
@Internal
final class PredictionColumns implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What a model computes for a row, from its bundle's task and options. */
    enum Kind {
        CLASSIFICATION(
                "sequence classification",
                EnumSet.of(Field.LABEL, Field.SCORE, Field.SCORES, Field.TRUNCATED, Field.MODEL_VERSION)),
        LABELS(
                "classification by label descriptions (an embedding bundle with 'labels-file')",
                EnumSet.of(
                        Field.LABEL, Field.SCORE, Field.SCORES, Field.EMBEDDING, Field.TRUNCATED, Field.MODEL_VERSION)),
        TAGGING("token tagging", EnumSet.of(Field.ENTITIES, Field.TRUNCATED, Field.MODEL_VERSION)),
        REDACTING(
                "token tagging with redaction ('redact.enabled')",
                EnumSet.of(Field.ENTITIES, Field.REDACTED, Field.TRUNCATED, Field.MODEL_VERSION)),
        EMBEDDING("sentence embedding", EnumSet.of(Field.EMBEDDING, Field.TRUNCATED, Field.MODEL_VERSION));

        private final String description;
        private final Set<Field> offers;

        Kind(String description, Set<Field> offers) {
            this.description = description;
            this.offers = offers;
        }

        String description() {
            return description;
        }

        Set<Field> offers() {
            return offers;
        }
    }

    /** An OUTPUT column a task may give. */
    enum Field {
        LABEL("label", DataTypes.STRING().getLogicalType()),
        SCORE("score", DataTypes.DOUBLE().getLogicalType()),
        SCORES("scores", DataTypes.MAP(DataTypes.STRING(), DataTypes.DOUBLE()).getLogicalType()),
        EMBEDDING("embedding", DataTypes.ARRAY(DataTypes.FLOAT()).getLogicalType()),
        ENTITIES(
                "entities",
                DataTypes.ARRAY(DataTypes.ROW(
                                DataTypes.FIELD("entity_group", DataTypes.STRING()),
                                DataTypes.FIELD("score", DataTypes.DOUBLE()),
                                DataTypes.FIELD("word", DataTypes.STRING()),
                                DataTypes.FIELD("start", DataTypes.INT()),
                                DataTypes.FIELD("end", DataTypes.INT())))
                        .getLogicalType()),
        TRUNCATED("truncated", DataTypes.BOOLEAN().getLogicalType()),
        /** The text with its entities redacted. */
        REDACTED("redacted", DataTypes.STRING().getLogicalType()),
        /** The version that made the prediction: its number in a repository, else its model file's sha256 prefix. */
        MODEL_VERSION("model_version", DataTypes.STRING().getLogicalType()),
        /** Why the row has no prediction, with {@code 'error-handling' = 'column'}; NULL when it has one. */
        ERROR("error", DataTypes.STRING().getLogicalType());

        private final String column;
        private final LogicalType type;

        Field(String column, LogicalType type) {
            this.column = column;
            this.type = type;
        }

        String column() {
            return column;
        }

        String describe() {
            return column + " "
                    + (this == ENTITIES
                            ? "ARRAY<ROW<...>> of "
                                    + Arrays.stream(EntityField.values())
                                            .map(EntityField::describe)
                                            .collect(Collectors.joining(", ", "{", "}"))
                            : type.asSummaryString());
        }

        static Field named(String name) {
            for (Field f : values()) {
                if (f.column.equals(name)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** A field of an entity row, as the token-classification pipeline names them. */
    enum EntityField {
        ENTITY_GROUP("entity_group", DataTypes.STRING().getLogicalType()),
        ENTITY("entity", DataTypes.STRING().getLogicalType()),
        SCORE("score", DataTypes.DOUBLE().getLogicalType()),
        WORD("word", DataTypes.STRING().getLogicalType()),
        START("start", DataTypes.INT().getLogicalType()),
        END("end", DataTypes.INT().getLogicalType()),
        INDEX("index", DataTypes.INT().getLogicalType()),
        SOURCE("source", DataTypes.STRING().getLogicalType());

        private final String name;
        private final LogicalType type;

        EntityField(String name, LogicalType type) {
            this.name = name;
            this.type = type;
        }

        String describe() {
            return name + " " + type.asSummaryString();
        }

        static EntityField named(String name) {
            for (EntityField f : values()) {
                if (f.name.equals(name)) {
                    return f;
                }
            }
            return null;
        }
    }

    private final Kind kind;
    private final List<Field> fields;
    private final List<EntityField> entityFields;

    private PredictionColumns(Kind kind, List<Field> fields, List<EntityField> entityFields) {
        this.kind = kind;
        this.fields = List.copyOf(fields);
        this.entityFields = List.copyOf(entityFields);
    }

    /**
     * Checks a model's OUTPUT schema against what {@code kind} gives.
     *
     * @param model names the model and its bundle in messages
     * @throws ValidationException naming the column, the type expected and what the task offers
     */
    static PredictionColumns check(String model, Kind kind, ResolvedSchema output) {
        return check(model, kind, output, false);
    }

    /**
     * Checks a model's OUTPUT schema against what {@code kind} gives, and an {@code error} column against
     * the error handling.
     *
     * @param errorColumn whether failed rows carry their reason in an {@code error STRING} column, which
     *     OUTPUT must then declare (and may not otherwise)
     * @throws ValidationException naming the column, the type expected and what the task offers
     */
    static PredictionColumns check(String model, Kind kind, ResolvedSchema output, boolean errorColumn) {
        List<Field> fields = new ArrayList<>();
        List<EntityField> entityFields = List.of();
        List<Column> columns = output.getColumns();
        if (columns.isEmpty()) {
            throw new ValidationException(model + ": OUTPUT declares no column; " + offers(kind));
        }
        for (Column column : columns) {
            String name = column.getName();
            LogicalType declared = column.getDataType().getLogicalType();
            Field field = Field.named(name);
            if (field == Field.ERROR && !errorColumn) {
                throw new ValidationException(
                        model + ": OUTPUT column 'error' is for 'error-handling' = 'column', where it"
                                + " holds why a row has no prediction; set that option, or remove the column.");
            }
            if (field != Field.ERROR && (field == null || !kind.offers().contains(field))) {
                throw new ValidationException(model + ": OUTPUT column '" + name + "' is not an output of "
                        + kind.description() + hint(field) + ". " + offers(kind));
            }
            if (!column.isPhysical()) {
                throw new ValidationException(
                        model + ": OUTPUT column '" + name + "' must be a plain column. " + offers(kind));
            }
            if (!declared.isNullable()) {
                throw new ValidationException(model + ": OUTPUT column '" + name + "' is " + declared.asSummaryString()
                        + " but must be nullable: a NULL input text gives NULL outputs. Declare it as "
                        + declared.copy(true).asSummaryString() + ".");
            }
            if (field == Field.ENTITIES) {
                entityFields = entityFields(model, kind, declared);
            } else if (!sameIgnoringNullability(declared, field.type)) {
                throw new ValidationException(model + ": OUTPUT column '" + name + "' is " + declared.asSummaryString()
                        + ", but " + kind.description() + " gives " + name + " as " + field.type.asSummaryString()
                        + ". "
                        + offers(kind));
            }
            fields.add(field);
        }
        if (errorColumn && !fields.contains(Field.ERROR)) {
            throw new ValidationException(model + ": 'error-handling' = 'column' needs an OUTPUT column 'error STRING'"
                    + " for the reason a row has no prediction; declare it, or choose 'ignore' or 'failover'.");
        }
        return new PredictionColumns(kind, fields, entityFields);
    }

    private static List<EntityField> entityFields(String model, Kind kind, LogicalType declared) {
        String expected = "expected ARRAY<ROW<...>> with any of the fields "
                + Arrays.stream(EntityField.values()).map(EntityField::describe).collect(Collectors.joining(", "))
                + " (entity_group and entity both carry the entity's label; `start` and `end` are reserved words in SQL and need quotes)";
        if (declared.getTypeRoot() != LogicalTypeRoot.ARRAY
                || ((ArrayType) declared).getElementType().getTypeRoot() != LogicalTypeRoot.ROW) {
            throw new ValidationException(model + ": OUTPUT column 'entities' is " + declared.asSummaryString() + "; "
                    + expected + ", such as " + Field.ENTITIES.type.asSummaryString() + ".");
        }
        RowType row = (RowType) ((ArrayType) declared).getElementType();
        List<EntityField> fields = new ArrayList<>();
        for (RowType.RowField f : row.getFields()) {
            EntityField field = EntityField.named(f.getName());
            if (field == null) {
                throw new ValidationException(model + ": OUTPUT column 'entities' has a field '" + f.getName()
                        + "' that entities do not have; " + expected + ".");
            }
            if (!sameIgnoringNullability(f.getType(), field.type)) {
                throw new ValidationException(model + ": OUTPUT column 'entities' has field '" + f.getName() + "' as "
                        + f.getType().asSummaryString() + ", but entities give it as " + field.type.asSummaryString()
                        + "; "
                        + expected + ".");
            }
            fields.add(field);
        }
        return fields;
    }

    private static String hint(Field field) {
        if (field == Field.LABEL || field == Field.SCORE || field == Field.SCORES) {
            return " (label, score and scores need a sequence-classification bundle, or an embedding bundle with"
                    + " 'labels-file')";
        }
        if (field == Field.EMBEDDING) {
            return " (embedding needs an embedding bundle)";
        }
        if (field == Field.ENTITIES) {
            return " (entities need a token-classification bundle)";
        }
        if (field == Field.REDACTED) {
            return " (redacted needs a token-classification bundle and 'redact.enabled' = 'true')";
        }
        return "";
    }

    private static String offers(Kind kind) {
        return "The bundle's task (" + kind.description() + ") offers: "
                + kind.offers().stream().map(Field::describe).collect(Collectors.joining(", ")) + ".";
    }

    /** Whether two types are equal but for nullability, at every level. */
    static boolean sameIgnoringNullability(LogicalType a, LogicalType b) {
        if (a.getTypeRoot() != b.getTypeRoot()) {
            return false;
        }
        switch (a.getTypeRoot()) {
            case ARRAY:
                return sameIgnoringNullability(((ArrayType) a).getElementType(), ((ArrayType) b).getElementType());
            case MAP:
                return sameIgnoringNullability(((MapType) a).getKeyType(), ((MapType) b).getKeyType())
                        && sameIgnoringNullability(((MapType) a).getValueType(), ((MapType) b).getValueType());
            case ROW:
                List<RowType.RowField> fa = ((RowType) a).getFields();
                List<RowType.RowField> fb = ((RowType) b).getFields();
                if (fa.size() != fb.size()) {
                    return false;
                }
                for (int i = 0; i < fa.size(); i++) {
                    if (!fa.get(i).getName().equals(fb.get(i).getName())
                            || !sameIgnoringNullability(
                                    fa.get(i).getType(), fb.get(i).getType())) {
                        return false;
                    }
                }
                return true;
            default:
                return a.copy(true).equals(b.copy(true));
        }
    }

    Kind kind() {
        return kind;
    }

    int arity() {
        return fields.size();
    }

    /** The row for a NULL input: every column NULL. */
    RowData nulls() {
        return new GenericRowData(fields.size());
    }

    /** The row for an input the model could not predict: NULL outputs, and the reason where OUTPUT has an error column. */
    RowData failed(String reason) {
        GenericRowData row = new GenericRowData(fields.size());
        int error = fields.indexOf(Field.ERROR);
        if (error >= 0) {
            row.setField(error, StringData.fromString(reason));
        }
        return row;
    }

    /**
     * The row for one prediction.
     *
     * @param prediction the classification, entities or embedding
     * @param embedding the embedding a classification by labels was made from (null otherwise)
     * @param modelVersion the version that made it
     */
    RowData write(Prediction prediction, Embedding embedding, String modelVersion) {
        GenericRowData row = new GenericRowData(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            row.setField(i, value(fields.get(i), prediction, embedding, modelVersion));
        }
        return row;
    }

    private Object value(Field field, Prediction prediction, Embedding embedding, String modelVersion) {
        switch (field) {
            case MODEL_VERSION:
                return StringData.fromString(modelVersion);
            case LABEL:
                return StringData.fromString(((Classification) prediction).label());
            case SCORE:
                return ((Classification) prediction).score();
            case SCORES: {
                Map<Object, Object> scores = new LinkedHashMap<>();
                ((Classification) prediction)
                        .scores()
                        .forEach((label, score) -> scores.put(StringData.fromString(label), score));
                return new GenericMapData(scores);
            }
            case EMBEDDING: {
                Embedding e = prediction instanceof Embedding direct ? direct : embedding;
                return new GenericArrayData(e.vector());
            }
            case ENTITIES: {
                List<Entity> entities = ((Entities) prediction).entities();
                Object[] rows = new Object[entities.size()];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = entityRow(entities.get(i));
                }
                return new GenericArrayData(rows);
            }
            case TRUNCATED:
                return prediction.truncated();
            case REDACTED:
                return StringData.fromString(((Entities) prediction).redacted());
            case ERROR:
                return null;
            default:
                throw new IllegalStateException(field.name());
        }
    }

    private RowData entityRow(Entity entity) {
        GenericRowData row = new GenericRowData(entityFields.size());
        for (int i = 0; i < entityFields.size(); i++) {
            row.setField(
                    i,
                    switch (entityFields.get(i)) {
                        case ENTITY_GROUP, ENTITY -> StringData.fromString(entity.label());
                        case SCORE -> entity.score();
                        case WORD -> StringData.fromString(entity.word());
                        case START -> entity.start();
                        case END -> entity.end();
                        case INDEX -> entity.index() >= 0 ? entity.index() : null;
                        case SOURCE -> StringData.fromString(entity.source());
                    });
        }
        return row;
    }
}
