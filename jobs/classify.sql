-- Kafka in, news topics out, in Flink SQL: the twin of jobs/classify.yaml (the same default model,
-- the same labels described in words, the same events give the same labels), with ML_PREDICT and the
-- torchscript model provider. Paths are relative to the repository root: run it from there.
--
-- Embedded (a Flink MiniCluster in one JVM, torchstream on its classpath):
--   java @conf/java17.args -cp "target/classes:$(cat target/classpath.txt)" io.torchstream.sql.SqlRunner \
--       jobs/classify.sql [--set KEY=VALUE]...
--
-- With the SQL client of a Flink 2.2 cluster (mvn -q package -DskipTests builds the job jar):
--   ./bin/sql-client.sh -j target/torchstream-job.jar -f jobs/classify.sql
-- or, in an interactive session, first
--   ADD JAR 'target/torchstream-job.jar';
-- then the statements below. For long-running clusters prefer the jar in Flink's lib/: libtorch cannot be
-- loaded by two classloaders in one TaskManager, which a restart in a session classloader would try.
-- The bundle must be readable at the same (absolute) path on every TaskManager; the labels file is read
-- where the query is planned, and its labels travel with the plan.
--
-- Unlike the DataStream job there are no dead letters: records that are not JSON and tombstones are
-- skipped ('json.ignore-parse-errors'); an event without a text gets NULL label, score and scores; an
-- empty text is classified like any other (jobs/classify.yaml sends both to its dead-letter topic).

SET 'pipeline.name' = 'classify-sql';
SET 'parallelism.default' = '2';
-- Exactly-once Kafka output commits its transactions on checkpoints.
SET 'execution.checkpointing.interval' = '10s';
SET 'restart-strategy.type' = 'fixed-delay';
SET 'restart-strategy.fixed-delay.attempts' = '2147483647';
SET 'restart-strategy.fixed-delay.delay' = '2s';
-- Rows in flight per parallel instance of ML_PREDICT. A batch can never hold more; by default the
-- model runs the largest batch it was verified at that fits twice (8 here), so the next batch fills
-- while one runs. Flink's default, 10, would give batches of 4.
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '16';

CREATE TABLE events (
  id STRING,
  text STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'events',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'properties.group.id' = 'torchstream-classify-sql',
  -- Records of aborted upstream transactions are not events.
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

CREATE MODEL topics
INPUT (text STRING)
OUTPUT (label STRING, score DOUBLE, scores MAP<STRING, DOUBLE>)
WITH (
  'provider' = 'torchscript',
  'bundle' = 'models/all-minilm-l6-v2',
  'labels-file' = 'jobs/labels/news-topics.yaml',
  'scale' = '40',
  'batch.max-wait' = '20ms'
);

CREATE TABLE classified (
  id STRING,
  text STRING,
  label STRING,
  score DOUBLE,
  scores MAP<STRING, DOUBLE>
) WITH (
  'connector' = 'kafka',
  'topic' = 'classified',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  -- The record key is the event id, as the DataStream job writes it.
  'key.format' = 'raw',
  'key.fields' = 'id',
  'value.format' = 'json',
  'value.fields-include' = 'ALL',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'torchstream-classify-sql',
  -- Above the checkpoint interval plus a restart; at most the broker's transaction.max.timeout.ms.
  'properties.transaction.timeout.ms' = '600000'
);

INSERT INTO classified
SELECT id, text, label, score, scores
FROM ML_PREDICT(TABLE events, MODEL topics, DESCRIPTOR(text));
