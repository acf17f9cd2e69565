-- Real-time token tagging in Flink SQL: entity spans for each message, Kafka in and out, the twin of
-- jobs/tag.yaml (same bundle, same aggregation, same entities). Paths are relative to the repository
-- root: run it from there, as jobs/classify.sql says (SqlRunner embedded, or the SQL client with
-- ADD JAR 'target/torchstream-job.jar').
--
-- The bundle is the Rampart PII tagger (models/pii-rampart); any token-classification bundle works, e.g.
-- (where the hub is reachable): bin/torchstream export dslim/bert-base-NER --task token-classification
-- --out models/ner. Add 'redact.enabled' = 'true' and a 'redacted STRING' output column for redaction.
--
-- `start` and `end` are reserved words in Flink SQL: quote them. As in jobs/tag.yaml an empty message gets
-- an empty entity list; records that TORCHSTREAM_PARSE refuses, and rows the model fails on, go to the
-- dead-letter topic with the reason, the original bytes and the Kafka position (as jobs/classify.sql).

SET 'pipeline.name' = 'tag-sql';
SET 'parallelism.default' = '2';
SET 'execution.checkpointing.interval' = '10s';
SET 'restart-strategy.type' = 'fixed-delay';
SET 'restart-strategy.fixed-delay.attempts' = '2147483647';
SET 'restart-strategy.fixed-delay.delay' = '2s';
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '16';

CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS TORCHSTREAM_PARSE AS 'io.torchstream.sql.TorchstreamParse';

CREATE TABLE messages (
  `value` BYTES,
  `topic` STRING METADATA VIRTUAL,
  `partition` INT METADATA VIRTUAL,
  `offset` BIGINT METADATA VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = 'messages',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'properties.group.id' = 'torchstream-tag-sql',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'raw'
);

-- Empty texts are messages too (jobs/tag.yaml's input.empty-text: predict): TORCHSTREAM_PARSE's fields and limit.
CREATE TEMPORARY VIEW parsed AS
SELECT
  COALESCE(e.id, `topic` || '-' || CAST(`partition` AS STRING) || '@' || CAST(`offset` AS STRING)) AS id,
  e.text AS text, JSON_VALUE(e.original, '$.channel') AS channel, e.error AS error,
  e.original AS original, e.original_base64 AS original_base64, `topic`, `partition`, `offset`
FROM (SELECT TORCHSTREAM_PARSE(`value`, 'id', 'text', 'text_pair', 1048576, 'predict') AS e,
             `topic`, `partition`, `offset` FROM messages);

CREATE TEMPORARY VIEW accepted AS
SELECT id, text, channel, original, original_base64, `topic`, `partition`, `offset` FROM parsed WHERE error IS NULL;

CREATE MODEL ner
INPUT (text STRING)
OUTPUT (entities ARRAY<ROW<entity_group STRING, score DOUBLE, word STRING, `start` INT, `end` INT>>, error STRING)
WITH (
  'provider' = 'torchscript',
  'bundle' = 'models/pii-rampart',
  -- none | simple | first | average | max, as transformers' aggregation_strategy.
  'tagging.aggregation' = 'simple',
  -- Texts longer than the model's length run as windows sharing this many tokens (-1: a quarter).
  'tagging.stride' = '-1',
  'tagging.ignore-labels' = 'O',
  'error-handling' = 'column',
  'batch.max-wait' = '20ms'
);

CREATE TEMPORARY VIEW tagged AS
SELECT * FROM ML_PREDICT(TABLE accepted, MODEL ner, DESCRIPTOR(text));

CREATE TABLE entities (
  id STRING,
  text STRING,
  channel STRING,
  entities ARRAY<ROW<entity_group STRING, score DOUBLE, word STRING, `start` INT, `end` INT>>
) WITH (
  'connector' = 'kafka',
  'topic' = 'entities',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'key.format' = 'raw',
  'key.fields' = 'id',
  'value.format' = 'json',
  'value.fields-include' = 'ALL',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'torchstream-tag-sql',
  'properties.transaction.timeout.ms' = '600000'
);

CREATE TABLE dead_letters (
  reason STRING,
  source STRING,
  `partition` INT,
  `offset` BIGINT,
  original STRING,
  original_base64 STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'entities-dlq',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'torchstream-tag-sql-dlq',
  'properties.transaction.timeout.ms' = '600000'
);

BEGIN STATEMENT SET;

INSERT INTO entities
SELECT id, text, channel, entities FROM tagged WHERE error IS NULL;

INSERT INTO dead_letters
SELECT error, `topic`, `partition`, `offset`, original, original_base64 FROM parsed WHERE error IS NOT NULL
UNION ALL
SELECT error, `topic`, `partition`, `offset`, original, original_base64 FROM tagged WHERE error IS NOT NULL;

END;
