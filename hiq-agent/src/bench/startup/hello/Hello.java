package hello;
public class Hello {
    static int square(int x) { return x * x; }
    static int sum(int n) { int s = 0; for (int i = 1; i <= n; i++) s += square(i); return s; }
    public static void main(String[] a) {
        long now = System.currentTimeMillis();
        String t0 = System.getProperty("t0");
        if (t0 != null) System.err.println("tomain=" + (now - Long.parseLong(t0)));
        System.out.println("hello " + sum(10));
    }
}
