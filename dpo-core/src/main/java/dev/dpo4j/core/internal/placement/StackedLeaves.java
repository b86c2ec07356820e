package dev.dpo4j.core.internal.placement;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dpo4j.core.model.FusedProjections;
import dev.dpo4j.core.model.Weights;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A worker's stacked leaves ({@link FusedProjections}): each stack of q/k/v or gate/up weights (or their biases) is one
 * leaf that backward fills with one gradient, and each member weight is its rows. The forward pass reads members as
 * rows of their leaf in the graph; draining reads each member's rows of the leaf's gradient.
 */
public final class StackedLeaves {

    private final Map<String, FusedProjections.Stack> stacks = new LinkedHashMap<>();
    private final Map<String, Member> members = new LinkedHashMap<>();

    /** Registers a stack of modules whose weight (and bias) arrays are leaves. */
    public void add(FusedProjections.Stack stack) {
        List<String> group = stack.modules();
        stacks.put(group.get(0), stack);
        register(FusedProjections.names(group, true), stack.weight(), stack.offsets());
        if (stack.bias() != null) {
            register(FusedProjections.names(group, false), stack.bias(), stack.offsets());
        }
    }

    private void register(List<String> names, NDArray leaf, List<Long> offsets) {
        FusedProjections.Stack rows = new FusedProjections.Stack(names, leaf, null, offsets);
        for (int i = 0; i < names.size(); i++) {
            members.put(names.get(i), new Member(rows, i));
        }
    }

    /** Whether the named weight is a member of a stack. */
    public boolean contains(String name) {
        return members.containsKey(name);
    }

    /** The weights the forward pass reads: stacked members as rows of their leaf, every other one from {@code rest}. */
    public Weights view(Weights rest) {
        Weights named = name -> {
            Member member = members.get(name);
            return member == null ? rest.get(name) : member.rows().member(member.rows().weight(), member.index());
        };
        return stacks.isEmpty() ? named : new FusedProjections(named, stacks);
    }

    /** Each member's rows of its leaf, made outside autograd: aliases to refresh the leaf through. */
    public Map<String, NDArray> aliases(NDManager manager) {
        Map<String, NDArray> aliases = new LinkedHashMap<>();
        members.forEach((name, member) -> {
            NDArray alias = member.rows().member(member.rows().weight(), member.index());
            alias.attach(manager);
            aliases.put(name, alias);
        });
        return aliases;
    }

    /** The gradients of one drain: each leaf's gradient read once, in {@code scratch}. */
    public Gradients gradients(NDManager scratch) {
        return new Gradients(scratch);
    }

    /** Reads stacked members' gradients for one drain. */
    public final class Gradients {

        private final NDManager scratch;
        private final Map<NDArray, NDArray> stackGradients = new IdentityHashMap<>();

        private Gradients(NDManager scratch) {
            this.scratch = scratch;
        }

        /**
         * The named weight's gradient, in the scratch manager: a member's rows of its stack's gradient, any other
         * weight's own gradient on its leaf in {@code leaves}.
         */
        public NDArray of(String name, Map<String, NDArray> leaves) {
            Member member = members.get(name);
            if (member == null) {
                NDArray gradient = leaves.get(name).getGradient();
                gradient.attach(scratch);
                return gradient;
            }
            NDArray gradient = stackGradients.computeIfAbsent(member.rows().weight(), leaf -> {
                NDArray g = leaf.getGradient();
                g.attach(scratch);
                return g;
            });
            NDArray rows = member.rows().member(gradient, member.index());
            rows.attach(scratch);
            return rows;
        }
    }

    /** A stacked weight's place: the stack of its kind (weights or biases) and its index there. */
    private record Member(FusedProjections.Stack rows, int index) {
    }
}
