package io.torchstream.sql;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.config.MLPredictRuntimeConfigOptions;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;

import java.time.Duration;

/**
 * A planned torchscript model: hands ML_PREDICT an asynchronous, micro-batching predict function.
 * Only the asynchronous interface is offered, so ML_PREDICT always runs it asynchronously ({@code
 * 'async' = 'false'} is refused by Flink's planner).
 */
@Internal
public final class TorchScriptModelProvider implements AsyncPredictRuntimeProvider {

    private final TorchScriptModelSpec spec;
    private final int sessionMaxConcurrent;
    private final Duration sessionTimeout;

    /**
     * @param sessionMaxConcurrent table.exec.async-ml-predict.max-concurrent-operations of the session
     * @param sessionTimeout table.exec.async-ml-predict.timeout of the session
     */
    TorchScriptModelProvider(TorchScriptModelSpec spec, int sessionMaxConcurrent, Duration sessionTimeout) {
        this.spec = spec;
        this.sessionMaxConcurrent = sessionMaxConcurrent;
        this.sessionTimeout = sessionTimeout;
    }

    /**
     * The function for one ML_PREDICT call. Its config map wins over the session's settings, as it does
     * for Flink's own async operator, so the batch size is checked against what that operator will
     * actually keep in flight.
     */
    @Override
    public AsyncPredictFunction createAsyncPredictFunction(ModelProvider.Context context) {
        ReadableConfig call = context.runtimeConfig();
        int maxConcurrent = call.getOptional(MLPredictRuntimeConfigOptions.ASYNC_MAX_CONCURRENT_OPERATIONS)
                .orElse(sessionMaxConcurrent);
        Duration timeout =
                call.getOptional(MLPredictRuntimeConfigOptions.ASYNC_TIMEOUT).orElse(sessionTimeout);
        return new TorchScriptPredictFunction(spec, spec.batchSize(maxConcurrent, timeout));
    }

    @Override
    public ModelProvider copy() {
        return new TorchScriptModelProvider(spec, sessionMaxConcurrent, sessionTimeout);
    }

    TorchScriptModelSpec spec() {
        return spec;
    }
}
