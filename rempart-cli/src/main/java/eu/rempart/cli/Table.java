package eu.rempart.cli;

import java.io.PrintStream;
import java.util.List;

/** restic's plain tables: a header, a dashed rule, the rows, a closing rule. */
final class Table {
    private Table() {
    }

    static void print(PrintStream out, List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        int total = 0;
        for (int x : w) {
            total += x + 2;
        }
        String rule = "-".repeat(Math.max(0, total - 2));
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                sb.append(r[i]);
                if (i < cols - 1) {
                    sb.append(" ".repeat(w[i] - r[i].length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
            if (k == 0) {
                out.println(rule);
            }
        }
        out.println(rule);
    }
}
