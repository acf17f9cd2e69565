package com.example.news;

/** How many messages of a topic one minute of event time saw: a Flink POJO. */
public class TopicCount {

    public long windowStart;
    public String topic;
    public long count;

    public TopicCount() {}

    public TopicCount(long windowStart, String topic, long count) {
        this.windowStart = windowStart;
        this.topic = topic;
        this.count = count;
    }

    @Override
    public String toString() {
        return windowStart + " " + topic + " " + count;
    }
}
