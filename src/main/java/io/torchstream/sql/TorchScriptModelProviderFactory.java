package io.torchstream.sql;

import io.torchstream.internal.session.RedactionOptions;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.ml.ModelProvider;

import java.util.Set;

/**
 * The {@code 'provider' = 'torchscript'} model provider, found by Flink's SPI
 * (META-INF/services/org.apache.flink.table.factories.Factory):
 *
 * <pre>
 * CREATE MODEL topics INPUT (text STRING) OUTPUT (label STRING, score DOUBLE)
 *   WITH ('provider' = 'torchscript', 'bundle' = 'models/all-minilm-l6-v2',
 *         'labels-file' = 'jobs/labels/news-topics.yaml');
 * SELECT id, label, score FROM ML_PREDICT(TABLE events, MODEL topics, DESCRIPTOR(text));
 * </pre>
 *
 * The options ({@link TorchScriptModelOptions}) and both schemas are checked against the bundle every
 * time a query using the model is planned, so a mistake fails before anything runs.
 */
@PublicEvolving
public final class TorchScriptModelProviderFactory implements ModelProviderFactory {

    @Override
    public String factoryIdentifier() {
        return TorchScriptModelOptions.IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return TorchScriptModelOptions.required();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return TorchScriptModelOptions.optional();
    }

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        // Per-type redaction settings are keys under a prefix, which the model's options check themselves.
        helper.validateExcept(RedactionOptions.TYPES_PREFIX);
        ResolvedCatalogModel model = context.getCatalogModel();
        TorchScriptModelSpec spec = TorchScriptModelSpec.resolve(
                context.getObjectIdentifier().asSummaryString(),
                model.getOptions(),
                model.getResolvedInputSchema(),
                model.getResolvedOutputSchema());
        ReadableConfig session = context.getConfiguration();
        return new TorchScriptModelProvider(
                spec,
                session.get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_MAX_CONCURRENT_OPERATIONS),
                session.get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_TIMEOUT));
    }
}
