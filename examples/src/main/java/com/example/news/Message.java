package com.example.news;

/** A message on the input topic, {@code {"id": "...", "text": "...", "time": 1764633600000}}: a Flink POJO. */
public class Message {

    public String id;
    public String text;
    /** Event time, epoch milliseconds. */
    public long time;

    public Message() {}

    public Message(String id, String text, long time) {
        this.id = id;
        this.text = text;
        this.time = time;
    }

    public String getText() {
        return text;
    }
}
