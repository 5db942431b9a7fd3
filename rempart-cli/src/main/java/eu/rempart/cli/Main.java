package eu.rempart.cli;

/** Entry point of bin/rempart. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("rempart: under construction");
        System.exit(1);
    }
}
