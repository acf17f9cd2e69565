package io.torchstream.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A horizontal bar chart of events/s per scenario, one colour per text mix, drawn with Java2D (headless). */
final class Plot {

    private Plot() {}

    static void throughput(List<Benchmark.Row> rows, Path png) throws IOException {
        List<Benchmark.Row> bars = new ArrayList<>();
        for (Benchmark.Row r : rows) {
            if (!r.name().startsWith("bare forward") && !r.name().startsWith("latency")) {
                bars.add(r);
            }
        }
        int rowHeight = 26;
        int left = 430;
        int width = 1100;
        int height = 70 + rowHeight * bars.size();
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("torchstream: events/s on all-MiniLM-L6-v2 (higher is better)", 16, 26);
        double max =
                bars.stream().mapToDouble(Benchmark.Row::eventsPerSecond).max().orElse(1);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int y = 50;
        for (Benchmark.Row r : bars) {
            boolean headlines = r.mix().equals("headlines");
            g.setColor(Color.DARK_GRAY);
            g.drawString(r.mix() + ": " + r.name(), 16, y + 17);
            int length = (int) ((width - left - 90) * r.eventsPerSecond() / max);
            g.setColor(headlines ? new Color(0x3B7DD8) : new Color(0xE08A1E));
            g.fillRect(left, y + 4, Math.max(1, length), rowHeight - 8);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.1f", r.eventsPerSecond()), left + length + 6, y + 17);
            y += rowHeight;
        }
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawLine(left, 46, left, y);
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }
}
