-- Real-time token tagging in Flink SQL: entity spans for each message, Kafka in and out, the twin of
-- jobs/tag.yaml (same bundle, same aggregation, same entities). Paths are relative to the repository
-- root: run it from there, as jobs/classify.sql says (SqlRunner embedded, or the SQL client with
-- ADD JAR 'target/torchstream-job.jar').
--
-- The bundle below is the random-initialised BERT fixture of the tests: it runs, but its entities are
-- noise. Export a trained model and point 'bundle' at it, e.g. (where the hub is reachable):
--   bin/torchstream export dslim/bert-base-NER --task token-classification --out models/ner
--
-- `start` and `end` are reserved words in Flink SQL: quote them. An empty message gets an empty
-- entity list, a message without text NULL entities.

SET 'pipeline.name' = 'tag-sql';
SET 'parallelism.default' = '2';
SET 'execution.checkpointing.interval' = '10s';
SET 'restart-strategy.type' = 'fixed-delay';
SET 'restart-strategy.fixed-delay.attempts' = '2147483647';
SET 'restart-strategy.fixed-delay.delay' = '2s';
-- Rows in flight per ML_PREDICT instance: batches fill to half of it (see jobs/classify.sql).
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '16';

CREATE TABLE messages (
  id STRING,
  text STRING,
  channel STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'messages',
  'properties.bootstrap.servers' = '127.0.0.1:9092',
  'properties.group.id' = 'torchstream-tag-sql',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

CREATE MODEL ner
INPUT (text STRING)
OUTPUT (entities ARRAY<ROW<entity_group STRING, score DOUBLE, word STRING, `start` INT, `end` INT>>)
WITH (
  'provider' = 'torchscript',
  'bundle' = 'src/test/resources/fixtures/bundles/bert-token-cls',
  -- none | simple | first | average | max, as transformers' aggregation_strategy.
  'tagging.aggregation' = 'simple',
  -- Texts longer than the model's length run as windows sharing this many tokens (-1: a quarter).
  'tagging.stride' = '-1',
  'tagging.ignore-labels' = 'O',
  'batch.max-wait' = '20ms'
);

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

INSERT INTO entities
SELECT id, text, channel, entities
FROM ML_PREDICT(TABLE messages, MODEL ner, DESCRIPTOR(text));
