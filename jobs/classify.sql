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
-- Every record is accounted for, as in the DataStream job: records are read as raw bytes and parsed by
-- TORCHSTREAM_PARSE with the job's rules (not JSON, not UTF-8, no text, an empty text, a tombstone, ...);
-- what it refuses, and any row the model fails on ('error-handling' = 'column'), goes to the dead-letter
-- topic with the reason, the original bytes and the Kafka topic, partition and offset. In = results + dead
-- letters.

SET 'pipeline.name' = 'classify-sql';
SET 'parallelism.default' = '2';
SET 'execution.checkpointing.interval' = '10s';
SET 'restart-strategy.type' = 'fixed-delay';
SET 'restart-strategy.fixed-delay.attempts' = '2147483647';
SET 'restart-strategy.fixed-delay.delay' = '2s';
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '16';

CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS TORCHSTREAM_PARSE AS 'io.torchstream.sql.TorchstreamParse';

CREATE TABLE events (
  `value` BYTES,
  `topic` STRING METADATA VIRTUAL,
  `partition` INT METADATA VIRTUAL,
  `offset` BIGINT METADATA VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'events',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'properties.group.id' = 'torchstream-classify-sql',
  -- Records of aborted upstream transactions are not events.
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'raw'
);

-- Each record parsed; an event without an id takes its position, topic-partition@offset, as the job does.
CREATE TEMPORARY VIEW parsed AS
SELECT
  COALESCE(e.id, `topic` || '-' || CAST(`partition` AS STRING) || '@' || CAST(`offset` AS STRING)) AS id,
  e.text AS text, e.error AS error, e.original AS original, e.original_base64 AS original_base64,
  `topic`, `partition`, `offset`
FROM (SELECT TORCHSTREAM_PARSE(`value`) AS e, `topic`, `partition`, `offset` FROM events);

CREATE TEMPORARY VIEW accepted AS
SELECT id, text, original, original_base64, `topic`, `partition`, `offset` FROM parsed WHERE error IS NULL;

CREATE MODEL topics
INPUT (text STRING)
OUTPUT (label STRING, score DOUBLE, scores MAP<STRING, DOUBLE>, error STRING)
WITH (
  'provider' = 'torchscript',
  'bundle' = 'models/all-minilm-l6-v2',
  'labels-file' = 'jobs/labels/news-topics.yaml',
  -- A row the model cannot predict gets NULL outputs and its reason in `error`, and the job goes on.
  'error-handling' = 'column',
  'batch.max-wait' = '20ms'
);

CREATE TEMPORARY VIEW predicted AS
SELECT * FROM ML_PREDICT(TABLE accepted, MODEL topics, DESCRIPTOR(text));

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

-- The DataStream job's dead letters: the reason, where the record came from, and its bytes.
CREATE TABLE dead_letters (
  reason STRING,
  source STRING,
  `partition` INT,
  `offset` BIGINT,
  original STRING,
  original_base64 STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'classified-dlq',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'torchstream-classify-sql-dlq',
  'properties.transaction.timeout.ms' = '600000'
);

-- One job: the model runs once, and its rows go to the results or, with the parser's refusals, to the dead letters.
BEGIN STATEMENT SET;

INSERT INTO classified
SELECT id, text, label, score, scores FROM predicted WHERE error IS NULL;

INSERT INTO dead_letters
SELECT error, `topic`, `partition`, `offset`, original, original_base64 FROM parsed WHERE error IS NOT NULL
UNION ALL
SELECT error, `topic`, `partition`, `offset`, original, original_base64 FROM predicted WHERE error IS NOT NULL;

END;
