package dev.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Weights whose linear modules that read the same input ({@code q/k/v_proj}, {@code gate/up_proj}) are stacked: one
 * matrix of the members' weights along the output axis (and one of their biases), so {@link #linears} is one matmul
 * whose result is split back, in place of one matmul per module. Every other lookup goes to the members.
 */
public final class FusedProjections implements Weights {

    private final Weights members;
    private final Map<String, Stack> stacks;

    /**
     * @param members the weights by name (a stacked member's weight is a slice of its stack)
     * @param stacks the stacks by their first module's name
     */
    public FusedProjections(Weights members, Map<String, Stack> stacks) {
        this.members = members;
        this.stacks = Map.copyOf(stacks);
    }

    /**
     * Linear modules stacked along the output axis.
     *
     * @param modules the member modules, in stack order
     * @param weight their weights stacked, {@code (sum of outputs, input)}
     * @param bias their biases stacked, or null when they have none
     * @param offsets each member's first row in the stack, in order
     */
    public record Stack(List<String> modules, NDArray weight, NDArray bias, List<Long> offsets) {

        /** Copies the lists. */
        public Stack {
            modules = List.copyOf(modules);
            offsets = List.copyOf(offsets);
        }

        /** Where the stack's output is split: every member's first row but the first's. */
        long[] splits() {
            return offsets.stream().skip(1).mapToLong(Long::longValue).toArray();
        }

        /** The rows of {@code stacked} (the weight, the bias or a gradient) that hold member {@code index}: a view. */
        public NDArray member(NDArray stacked, int index) {
            long end = index + 1 < offsets.size() ? offsets.get(index + 1) : weight.getShape().get(0);
            return stacked.get(new NDIndex("{}:{}", offsets.get(index), end));
        }
    }

    @Override
    public NDArray get(String name) {
        return members.get(name);
    }

    @Override
    public NDArray linear(String module, NDArray input, boolean withBias) {
        return members.linear(module, input, withBias);
    }

    /** One matmul when {@code modules} are a stack (with its bias when asked), else the members one by one. */
    @Override
    public List<NDArray> linears(List<String> modules, NDArray input, boolean withBias) {
        Stack stack = stacks.get(modules.get(0));
        if (stack == null || !stack.modules().equals(modules) || (withBias && stack.bias() == null)) {
            return members.linears(modules, input, withBias);
        }
        NDList output = withBias ? Linear.linear(input, stack.weight(), stack.bias())
                : Linear.linear(input, stack.weight());
        NDArray stacked = output.singletonOrThrow();
        return stacked.split(stack.splits(), stacked.getShape().dimension() - 1);
    }

    /**
     * Stacks frozen {@code arrays} in place: for each group of modules whose weights are all present, one new array
     * of their weights (and one of their biases when all are present) replaces them, each member becoming a view of
     * its rows, so the stack costs no memory beyond one group while it is built.
     *
     * @param groups module groups that read the same input, such as {@link CausalLm#stackedProjections}
     * @return the stacks by their first module's name
     */
    public static Map<String, Stack> stackInPlace(Map<String, NDArray> arrays, List<List<String>> groups) {
        Map<String, Stack> stacks = new LinkedHashMap<>();
        stacks(groups, arrays, (names, offsets) -> stackInPlace(arrays, names, offsets))
                .forEach(stack -> stacks.put(stack.modules().get(0), stack));
        return stacks;
    }

    /**
     * The stacks of {@code groups} whose weights {@code arrays} all hold: {@code build} makes the stacked array of
     * the members' weights, and of their biases when all are present, from the names and each member's first row
     * ({@link #offsets}); a group whose weights it returns null for is left out, a null for the biases leaves the
     * stack without them.
     */
    public static List<Stack> stacks(List<List<String>> groups, Map<String, NDArray> arrays,
            BiFunction<List<String>, List<Long>, NDArray> build) {
        List<Stack> stacks = new ArrayList<>();
        for (List<String> group : groups) {
            List<String> weights = names(group, true);
            if (!weights.stream().allMatch(arrays::containsKey)) {
                continue;
            }
            List<Long> offsets = offsets(weights.stream().map(arrays::get).toList());
            NDArray weight = build.apply(weights, offsets);
            if (weight == null) {
                continue;
            }
            List<String> biases = names(group, false);
            NDArray bias = biases.stream().allMatch(arrays::containsKey) ? build.apply(biases, offsets) : null;
            stacks.add(new Stack(group, weight, bias, offsets));
        }
        return stacks;
    }

    /** The members' weight or bias names. */
    public static List<String> names(List<String> modules, boolean weights) {
        return modules.stream().map(m -> weights ? Weights.weightOf(m) : Weights.biasOf(m)).toList();
    }

    /** Each member's first row in a stack of {@code members}, in order. */
    public static List<Long> offsets(List<NDArray> members) {
        List<Long> offsets = new ArrayList<>(members.size());
        long offset = 0;
        for (NDArray member : members) {
            offsets.add(offset);
            offset += member.getShape().get(0);
        }
        return offsets;
    }

    private static NDArray stackInPlace(Map<String, NDArray> arrays, List<String> names, List<Long> offsets) {
        List<NDArray> members = names.stream().map(arrays::get).toList();
        NDArray stack = NDArrays.concat(new NDList(members));
        stack.attach(members.get(0).getManager());
        Stack rows = new Stack(names, stack, null, offsets);
        for (int i = 0; i < members.size(); i++) {
            members.get(i).intern(rows.member(stack, i));
        }
        return stack;
    }
}
