package io.torchstream.sql;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogModel;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.ml.ModelProvider;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the planner hands a model provider factory and its provider, written by hand: a model named
 * {@code m} with the given options and schemas, a session configuration, and an ML_PREDICT config map.
 */
final class FakeModelContext implements ModelProviderFactory.Context, ModelProvider.Context {

    private final Map<String, String> options = new LinkedHashMap<>();
    private ResolvedSchema input = ResolvedSchema.of(Column.physical("text", DataTypes.STRING()));
    private ResolvedSchema output = ResolvedSchema.of(Column.physical("label", DataTypes.STRING()));
    private final Configuration session = new Configuration();
    private final Configuration call = new Configuration();

    FakeModelContext(String bundle) {
        options.put("provider", "torchscript");
        options.put("bundle", bundle);
    }

    FakeModelContext option(String key, String value) {
        options.put(key, value);
        return this;
    }

    FakeModelContext input(Column... columns) {
        input = ResolvedSchema.of(columns);
        return this;
    }

    FakeModelContext output(Column... columns) {
        output = ResolvedSchema.of(columns);
        return this;
    }

    FakeModelContext session(String key, String value) {
        session.setString(key, value);
        return this;
    }

    FakeModelContext call(String key, String value) {
        call.setString(key, value);
        return this;
    }

    /** The provider the factory makes for this model. */
    TorchScriptModelProvider provider() {
        return (TorchScriptModelProvider) new TorchScriptModelProviderFactory().createModelProvider(this);
    }

    /** The function the provider makes for one ML_PREDICT call. */
    TorchScriptPredictFunction function() {
        return (TorchScriptPredictFunction) provider().createAsyncPredictFunction(this);
    }

    @Override
    public ObjectIdentifier getObjectIdentifier() {
        return ObjectIdentifier.of("cat", "db", "m");
    }

    @Override
    public ResolvedCatalogModel getCatalogModel() {
        Schema in = Schema.newBuilder().fromResolvedSchema(input).build();
        Schema out = Schema.newBuilder().fromResolvedSchema(output).build();
        return ResolvedCatalogModel.of(CatalogModel.of(in, out, Map.copyOf(options), null), input, output);
    }

    @Override
    public ReadableConfig getConfiguration() {
        return session;
    }

    @Override
    public ClassLoader getClassLoader() {
        return FakeModelContext.class.getClassLoader();
    }

    @Override
    public boolean isTemporary() {
        return false;
    }

    @Override
    public ReadableConfig runtimeConfig() {
        return call;
    }
}
