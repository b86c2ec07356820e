package dev.dpo4j.cli.embedded;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates the embedded preference dataset ({@code src/main/resources/dpo4j/embedded/preferences.jsonl}) in the
 * {@code generic} prompt / chosen / rejected schema. The file is committed; this class documents how it was made and
 * a test checks that it still reproduces the committed file byte for byte.
 *
 * <p>Every pair prefers a short, polite, correct answer over a rude or a wrong one, across six small tasks:
 * single-digit sums, capitals, opposites, animal sounds, everyday requests and small talk. Two thirds of the sum and
 * capital pairs differ only in the fact (the same polite sentence with a wrong number or city); the rest contrast a
 * polite answer with a rude one. A tiny byte-level model learns the polite/rude contrast within a few dozen steps and
 * it carries over to held-out pairs; the factual contrast it can only memorize, so training reward accuracy keeps
 * climbing towards 1 while the held-out accuracy levels off lower.
 *
 * <p>Run it with {@code java ... EmbeddedDatasetGenerator [output.jsonl]}.
 */
public final class EmbeddedDatasetGenerator {

    /** The seed of the rude/wrong variant choices. */
    public static final long SEED = 7;

    private static final String[][] CAPITALS = {
        {"France", "Paris"}, {"Italy", "Rome"}, {"Spain", "Madrid"}, {"Germany", "Berlin"}, {"Japan", "Tokyo"},
        {"Egypt", "Cairo"}, {"Peru", "Lima"}, {"Kenya", "Nairobi"}, {"Canada", "Ottawa"}, {"Norway", "Oslo"},
        {"Greece", "Athens"}, {"Poland", "Warsaw"}, {"Ireland", "Dublin"}, {"Portugal", "Lisbon"},
        {"Austria", "Vienna"}, {"Cuba", "Havana"}, {"Chile", "Santiago"}, {"China", "Beijing"},
        {"India", "New Delhi"}, {"Russia", "Moscow"}, {"Sweden", "Stockholm"}, {"Finland", "Helsinki"},
        {"Denmark", "Copenhagen"}, {"Belgium", "Brussels"}, {"Hungary", "Budapest"}, {"Thailand", "Bangkok"},
        {"Mexico", "Mexico City"}, {"Argentina", "Buenos Aires"}, {"Turkey", "Ankara"}, {"Australia", "Canberra"},
    };

    private static final String[][] OPPOSITES = {
        {"hot", "cold"}, {"big", "small"}, {"fast", "slow"}, {"up", "down"}, {"light", "dark"}, {"happy", "sad"},
        {"old", "young"}, {"open", "closed"}, {"early", "late"}, {"full", "empty"}, {"hard", "soft"},
        {"loud", "quiet"}, {"wet", "dry"}, {"strong", "weak"}, {"rich", "poor"}, {"long", "short"},
        {"high", "low"}, {"easy", "difficult"}, {"clean", "dirty"}, {"first", "last"}, {"near", "far"},
        {"thick", "thin"}, {"win", "lose"}, {"push", "pull"}, {"day", "night"}, {"inside", "outside"},
        {"heavy", "light"}, {"true", "false"}, {"begin", "end"}, {"love", "hate"},
    };

    private static final String[][] ANIMALS = {
        {"dog", "barks"}, {"cat", "meows"}, {"cow", "moos"}, {"duck", "quacks"}, {"sheep", "bleats"},
        {"horse", "neighs"}, {"lion", "roars"}, {"owl", "hoots"}, {"snake", "hisses"}, {"pig", "oinks"},
        {"frog", "croaks"}, {"bee", "buzzes"}, {"wolf", "howls"}, {"mouse", "squeaks"}, {"rooster", "crows"},
        {"donkey", "brays"}, {"goat", "bleats"}, {"crow", "caws"}, {"dove", "coos"}, {"elephant", "trumpets"},
    };

    private static final String[][] REQUESTS = {
        {"help me write a birthday card", "Of course! Start with a warm greeting and a happy memory."},
        {"recommend a good book", "Sure! Try a classic like Pride and Prejudice."},
        {"explain what a noun is", "Happy to help! A noun names a person, place or thing."},
        {"suggest a healthy snack", "Sure! An apple with some nuts is a great choice."},
        {"help me plan my day", "Of course! List your tasks and do the hardest one first."},
        {"tell me a fun fact", "Sure! Octopuses have three hearts."},
        {"give me a tip for sleeping better", "Happy to help! Keep a regular bedtime and avoid screens."},
        {"help me name my cat", "Of course! How about Luna, Milo or Pepper?"},
        {"suggest a weekend activity", "Sure! A walk in the park is a lovely idea."},
        {"explain why the sky is blue", "Happy to help! Air scatters blue light more than red light."},
        {"help me stay motivated", "Of course! Set small goals and celebrate each one."},
        {"recommend a simple recipe", "Sure! Pasta with tomato sauce is quick and tasty."},
        {"teach me a new word", "Happy to help! Serendipity means a happy accident."},
        {"help me write a thank you note", "Of course! Thank them for something specific they did."},
        {"suggest a gift for my mom", "Sure! Flowers and a handwritten note are always nice."},
        {"tell me how to save money", "Happy to help! Track your spending and set a budget."},
        {"help me learn to cook", "Of course! Start with eggs, rice and simple soups."},
        {"give me a study tip", "Sure! Study in short sessions with breaks in between."},
        {"explain what a verb is", "Happy to help! A verb is an action word, like run or think."},
        {"suggest a name for my dog", "Of course! How about Max, Bella or Charlie?"},
    };

    private static final String[] REQUEST_FORMS = {
        "Can you %s?", "Please %s.", "Could you %s, please?", "I need you to %s.",
    };

    private static final String[][] SMALL_TALK = {
        {"Hello!", "Hello! How can I help you today?"},
        {"Hi there.", "Hi! It is nice to hear from you."},
        {"Good morning!", "Good morning! I hope you slept well."},
        {"Good night.", "Good night! Sleep well."},
        {"Thank you!", "You are very welcome!"},
        {"Thanks for your help.", "My pleasure! Happy to help anytime."},
        {"How are you?", "I am doing well, thank you for asking!"},
        {"I am feeling sad today.", "I am sorry to hear that. I am here if you want to talk."},
        {"I passed my exam!", "Congratulations! That is wonderful news."},
        {"Sorry for the trouble.", "No trouble at all! I am glad to help."},
        {"Can I ask you something?", "Of course! Ask me anything."},
        {"Goodbye!", "Goodbye! Have a lovely day."},
        {"I got a new job.", "Congratulations on the new job! Well done."},
        {"It is my birthday today.", "Happy birthday! I hope it is a great day."},
        {"I am bored.", "Let us find something fun to do together!"},
        {"Are you there?", "Yes, I am here! How can I help?"},
        {"I made a mistake at work.", "That happens to everyone. You can fix it."},
        {"What a nice day!", "It really is! Enjoy the sunshine."},
        {"I finished my project.", "Great job finishing your project!"},
        {"Do you like music?", "I do! Music is a wonderful thing."},
    };

    private static final String[] RUDE = {
        "Figure it out yourself.", "Not my problem.", "Ugh, stop bothering me.", "Why would I help you?",
        "Whatever. Go away.", "That is a dumb question.", "Ask someone else.", "No. Leave me alone.",
    };

    private static final String[] RUDE_SMALL_TALK = {
        "Whatever.", "I do not care.", "Stop talking to me.", "So what?", "Go away.", "Nobody asked.",
    };

    private EmbeddedDatasetGenerator() {
    }

    /** The pairs, in a fixed order, each a map with {@code prompt}, {@code chosen} and {@code rejected}. */
    public static List<Map<String, String>> generate() {
        Random random = new Random(SEED);
        List<Map<String, String>> rows = new ArrayList<>();
        for (int a = 1; a <= 9; a++) {
            for (int b = 1; b <= 9; b++) {
                int sum = a + b;
                int wrong = sum + 1 + random.nextInt(4) * (random.nextBoolean() ? 1 : -1);
                wrong = wrong == sum || wrong < 0 ? sum + 2 : wrong;
                String rejected = random.nextInt(3) > 0 ? "Sure! " + a + " + " + b + " = " + wrong + "."
                        : pick(random, RUDE);
                rows.add(row("What is " + a + " + " + b + "?", "Sure! " + a + " + " + b + " = " + sum + ".",
                        rejected));
            }
        }
        for (int i = 0; i < CAPITALS.length; i++) {
            String country = CAPITALS[i][0];
            String wrong = CAPITALS[(i + 1 + random.nextInt(CAPITALS.length - 1)) % CAPITALS.length][1];
            String rejected = random.nextInt(3) > 0 ? "Sure! The capital of " + country + " is " + wrong + "."
                    : pick(random, RUDE);
            rows.add(row("What is the capital of " + country + "?",
                    "Sure! The capital of " + country + " is " + CAPITALS[i][1] + ".", rejected));
        }
        for (String[] pair : OPPOSITES) {
            rows.add(row("What is the opposite of " + pair[0] + "?",
                    "Sure! The opposite of " + pair[0] + " is " + pair[1] + ".", pick(random, RUDE)));
        }
        for (String[] animal : ANIMALS) {
            rows.add(row("What sound does a " + animal[0] + " make?",
                    "Sure! A " + animal[0] + " " + animal[1] + ".", pick(random, RUDE)));
        }
        for (String[] request : REQUESTS) {
            for (String form : REQUEST_FORMS) {
                rows.add(row(capitalize(String.format(form, request[0])), request[1], pick(random, RUDE)));
            }
        }
        for (String[] talk : SMALL_TALK) {
            rows.add(row(talk[0], talk[1], pick(random, RUDE_SMALL_TALK)));
        }
        return rows;
    }

    /** Writes the pairs as JSON Lines. */
    public static void write(Path file) throws IOException {
        Files.writeString(file, toJsonLines(generate()), StandardCharsets.UTF_8);
    }

    /** The JSON Lines text of the rows. */
    public static String toJsonLines(List<Map<String, String>> rows) {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        StringBuilder text = new StringBuilder();
        for (Map<String, String> row : rows) {
            text.append(gson.toJson(row)).append('\n');
        }
        return text.toString();
    }

    /** Writes the dataset to the given file (default: the module's resource file, run from the repository root). */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0]
                : "dpo-cli/src/main/resources/dpo4j/embedded/preferences.jsonl");
        write(file);
        System.out.println("wrote " + generate().size() + " pairs to " + file);
    }

    private static Map<String, String> row(String prompt, String chosen, String rejected) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("prompt", prompt);
        row.put("chosen", chosen);
        row.put("rejected", rejected);
        return row;
    }

    private static String pick(Random random, String[] options) {
        return options[random.nextInt(options.length)];
    }

    private static String capitalize(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
