package dev.chimera.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.tensor.Storage;
import dev.chimera.core.tensor.HeapStorage;
import dev.chimera.core.tensor.Tensor;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Arena}: the named layout it plans, 16-float (64-byte) alignment, the two phases (a tensor
 * used before {@link Arena#allocate()} fails naming its slab), refused names, zero-filled and
 * disjoint buffers, and the split into slabs of at most {@link Arena#MAX_SLAB} floats.
 *
 * <p>MAX_SLAB is 2^30 floats (4 GiB), too large to allocate in a test. Planning allocates nothing,
 * so the slab rule is exercised in full through {@link Arena#take} and {@link Arena#layout()};
 * {@link Arena#allocate()} of such a plan runs against a fake device backend whose storage holds no
 * memory, which records the slab sizes the arena asks for.
 */
class ArenaTest {
    private static final Backend CPU = new ScalarBackend();

    private static Arena.Slot slot(Arena a, String name) {
        Arena.Slot s = a.layout().get(name);
        assertTrue(s != null, "no slot named " + name + " in " + a.layout().keySet());
        return s;
    }

    @Test
    void layoutNamesOffsetsAndAlignment() {
        Arena a = new Arena(CPU);
        a.take("a", 3);
        a.take("b", 2, 5);
        Allocator scoped = a.scoped("layers.3").scoped("mixer");
        scoped.take("proj", 17);
        a.take("empty", 0, 4);
        a.take("c", 16);
        // Each buffer starts at the first multiple of 16 floats after the previous one's end.
        assertEquals(List.of("a", "b", "layers.3.mixer.proj", "empty", "c"), new ArrayList<>(a.layout().keySet()));
        int[][] expected = {{0, 0}, {0, 16}, {0, 32}, {0, 64}, {0, 64}};
        String[] names = {"a", "b", "layers.3.mixer.proj", "empty", "c"};
        for (int i = 0; i < names.length; i++) {
            Arena.Slot s = slot(a, names[i]);
            assertEquals(names[i], s.name());
            assertEquals(expected[i][0], s.slab(), names[i] + " slab");
            assertEquals(expected[i][1], s.offset(), names[i] + " offset");
        }
        assertArrayEquals(new int[] {2, 5}, slot(a, "b").shape());
        assertArrayEquals(new int[] {0, 4}, slot(a, "empty").shape());
        // 64 + 16: the padding after a, b and proj counts, nothing after the last buffer.
        assertEquals(80, a.floats());
    }

    @Test
    void everyOffsetIsAMultipleOf16FloatsAndTensorsSitAtTheirSlots() {
        SplittableRandom r = new SplittableRandom(17);
        Arena a = new Arena(CPU);
        List<Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tensors.add(a.take("t" + i, 1 + r.nextInt(40), 1 + r.nextInt(3)));
        }
        a.allocate();
        for (int i = 0; i < tensors.size(); i++) {
            Arena.Slot s = slot(a, "t" + i);
            assertEquals(0, s.offset() % 16, "t" + i + " at " + s.offset() + ": 64-byte alignment");
            assertEquals(s.offset(), tensors.get(i).offset(), "t" + i + ": the tensor is its slot");
            assertArrayEquals(s.shape(), tensors.get(i).shape());
        }
    }

    @Test
    void aTensorUsedBeforeAllocateFailsNamingItsSlab() {
        Arena a = new Arena(CPU);
        Tensor t = a.take("x", 4, 4);
        IllegalStateException e = assertThrows(IllegalStateException.class, t::data);
        assertTrue(e.getMessage().contains("arena slab 0") && e.getMessage().contains("Arena.allocate()"),
                e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> CPU.fill(t, 1f));
        assertTrue(e.getMessage().contains("arena slab 0"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> t.storage().backing());
        assertTrue(e.getMessage().contains("arena slab 0 is not allocated yet"), e.getMessage());

        // A tensor in a later slab names that slab.
        Arena big = new Arena(CPU);
        big.take("fills slab 0", Arena.MAX_SLAB);
        Tensor late = big.take("late", 3);
        assertEquals(1, slot(big, "late").slab());
        e = assertThrows(IllegalStateException.class, late::data);
        assertTrue(e.getMessage().contains("arena slab 1"), e.getMessage());

        a.allocate();
        CPU.fill(t, 2f);
        assertEquals(2f, t.get(3, 3));
        assertTrue(t.storage().backing() instanceof HeapStorage, "a CPU arena's slab is backed by heap memory");
    }

    @Test
    void namesAreTakenOnceAndNothingIsTakenAfterAllocate() {
        Arena a = new Arena(CPU);
        a.take("w", 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.take("w", 3));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("already taken"), e.getMessage());
        a.scoped("block").take("x", 1);
        e = assertThrows(IllegalArgumentException.class, () -> a.take("block.x", 1));
        assertTrue(e.getMessage().contains("'block.x'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.take("neg", 2, -1));
        assertTrue(e.getMessage().contains("'neg'") && e.getMessage().contains("(2, -1)"), e.getMessage());
        assertEquals(List.of("w", "block.x"), new ArrayList<>(a.layout().keySet()), "refused names leave no slot");

        a.allocate();
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> a.take("late", 1));
        assertTrue(s.getMessage().contains("'late'") && s.getMessage().contains("after allocate()"), s.getMessage());
        s = assertThrows(IllegalStateException.class, a::allocate);
        assertTrue(s.getMessage().contains("twice"), s.getMessage());
    }

    @Test
    void memoryIsZeroFilledAndBuffersNeverOverlap() {
        SplittableRandom r = new SplittableRandom(5);
        for (int round = 0; round < 2; round++) {
            // Two arenas, one after the other, on the same backend: the second must not see the first's values.
            Arena a = new Arena(CPU);
            List<Tensor> tensors = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                tensors.add(a.take("t" + i, 1 + r.nextInt(70)));
            }
            a.allocate();
            for (Tensor t : tensors) {
                for (int i = 0; i < t.size(); i++) {
                    assertEquals(0f, t.at(i), "round " + round + ": fresh memory is zero");
                }
            }
            // Each buffer filled with its own number: a buffer that overlapped another would show the other's.
            for (int i = 0; i < tensors.size(); i++) {
                CPU.fill(tensors.get(i), i + 1);
            }
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                for (int j = 0; j < t.size(); j++) {
                    assertEquals(i + 1, t.at(j), "t" + i + " value " + j);
                }
            }
            // And the slots' ranges are disjoint as planned.
            List<Arena.Slot> slots = new ArrayList<>(a.layout().values());
            for (int i = 0; i < slots.size(); i++) {
                for (int j = i + 1; j < slots.size(); j++) {
                    Arena.Slot x = slots.get(i);
                    Arena.Slot y = slots.get(j);
                    int xEnd = x.offset() + tensors.get(i).size();
                    int yEnd = y.offset() + tensors.get(j).size();
                    assertTrue(x.slab() != y.slab() || xEnd <= y.offset() || yEnd <= x.offset(),
                            x.name() + " and " + y.name() + " overlap");
                }
            }
        }
    }

    @Test
    void viewsMadeWhilePlanningSeeTheMemory() {
        Arena a = new Arena(CPU);
        Tensor buffer = a.take("rows", 4, 3);
        RowViews views = new RowViews(buffer, 4, 3);
        Tensor firstTwo = buffer.slice(0, 2);
        a.allocate();
        CPU.fill(views.rows(1), 7f);
        assertEquals(7f, buffer.get(0, 2));
        assertEquals(0f, buffer.get(1, 0));
        assertEquals(7f, firstTwo.get(0, 1));
        assertSame(buffer.data(), views.rows(4).data(), "views share the slab's memory");
    }

    /** The slab sizes a fake device backend was asked for; its storage has a capacity and no memory. */
    private static final class FakeDevice {
        final List<Long> requested = new ArrayList<>();
        final Backend backend = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("allocateStorage")) {
                        long floats = (Long) args[0];
                        requested.add(floats);
                        return new Storage() {
                            @Override
                            public long capacity() {
                                return floats;
                            }

                            @Override
                            public float[] heapArray() {
                                throw new IllegalStateException("fake device memory");
                            }
                        };
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void slabsSplitAtMaxSlabAndALargerBufferGetsASlabOfItsOwn() {
        assertEquals(1 << 30, Arena.MAX_SLAB, "the slab limit these cases are written for");
        int half = Arena.MAX_SLAB / 2;
        FakeDevice device = new FakeDevice();
        Arena a = new Arena(device.backend);
        a.take("a", half);
        a.take("b", half);                       // ends exactly at MAX_SLAB: still slab 0
        a.take("c", 1);                          // would pass MAX_SLAB: slab 1
        a.take("big", Arena.MAX_SLAB + 16);      // larger than a slab: a slab of its own
        Tensor after = a.take("after", 5);       // the big slab is over its limit already: slab 3
        a.take("tail", 2, 3);
        Map<String, Arena.Slot> layout = a.layout();
        int[][] expected = {{0, 0}, {0, half}, {1, 0}, {2, 0}, {3, 0}, {3, 16}};
        String[] names = {"a", "b", "c", "big", "after", "tail"};
        for (int i = 0; i < names.length; i++) {
            assertEquals(expected[i][0], layout.get(names[i]).slab(), names[i] + " slab");
            assertEquals(expected[i][1], layout.get(names[i]).offset(), names[i] + " offset");
        }
        assertEquals(2L * half + 1 + (Arena.MAX_SLAB + 16L) + 16 + 6, a.floats());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.take("huge", 1 << 16, 1 << 15));
        assertTrue(e.getMessage().contains("'huge'") && e.getMessage().contains("(65536, 32768)")
                && e.getMessage().contains("more values than one array"), e.getMessage());

        a.allocate();
        assertEquals(List.of((long) Arena.MAX_SLAB, 1L, Arena.MAX_SLAB + 16L, 22L), device.requested,
                "one storage per slab, of the slab's planned size");
        assertNotSame(after.storage(), after.storage().backing());
        assertEquals(22, after.storage().backing().capacity());
    }
}
