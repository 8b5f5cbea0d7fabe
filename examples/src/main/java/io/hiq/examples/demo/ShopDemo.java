package io.hiq.examples.demo;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sample application of {@code bin/hiq demo}: a small shop that takes orders on a few worker
 * threads, each order validating, pricing (with a cache miss now and then), paying and, rarely,
 * failing. It knows nothing of HiQ; {@code demo/hiq.conf} names the methods to trace.
 *
 * <p>Usage: {@code ShopDemo [SECONDS] [THREADS] [ORDERS_PER_SECOND_PER_THREAD]}; 0 seconds runs until killed.
 */
public final class ShopDemo {
    private static final AtomicLong ORDERS = new AtomicLong();
    private static final AtomicLong FAILED = new AtomicLong();

    private ShopDemo() {}

    public static void main(String[] args) throws InterruptedException {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 0;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        long end = seconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                Shop shop = new Shop();
                long pause = 1_000_000_000L / rate;
                while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                    try {
                        shop.order(ThreadLocalRandom.current().nextInt(1, 6));
                    } catch (IllegalStateException declined) {
                        FAILED.incrementAndGet();
                    }
                    ORDERS.incrementAndGet();
                    sleepNanos(pause);
                }
            }, "shop-worker-" + t);
            workers[t].start();
        }
        for (Thread w : workers) w.join();
        System.out.println("shop: " + ORDERS.get() + " orders, " + FAILED.get() + " declined");
    }

    static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The traced business code. */
    public static final class Shop {
        private final java.util.Map<Integer, Long> priceCache = new java.util.HashMap<>();

        public long order(int items) {
            validate(items);
            long total = 0;
            for (int i = 0; i < items; i++) total += price(ThreadLocalRandom.current().nextInt(20));
            pay(total);
            return total;
        }

        void validate(int items) {
            sleepNanos(200_000);
            if (items <= 0) throw new IllegalArgumentException("no items");
        }

        long price(int sku) {
            Long cached = priceCache.get(sku);
            if (cached != null && ThreadLocalRandom.current().nextInt(10) > 0) return cached;
            long p = loadPrice(sku);
            priceCache.put(sku, p);
            return p;
        }

        long loadPrice(int sku) {
            sleepNanos(1_000_000 + ThreadLocalRandom.current().nextInt(2_000_000)); // a database round trip
            return 100 + sku * 7L;
        }

        void pay(long total) {
            sleepNanos(500_000 + ThreadLocalRandom.current().nextInt(1_000_000));
            if (ThreadLocalRandom.current().nextInt(50) == 0) throw new IllegalStateException("card declined");
        }
    }
}
