package io.hiq.tree;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes one {@code hiq.tree/1} object by streaming over Jackson's parser straight into
 * {@link HiQTree}/{@link HiQNode}: no intermediate {@code JsonNode} tree, and the field paths of error
 * messages ({@code root.children[3].start}) are built only when there is an error.
 *
 * <p>Validation and messages are those of the former {@code JsonNode}-based decoder, checked in the
 * same order: malformed JSON wins over any field error ("not valid JSON: …", so the whole record is
 * read before a field error is reported); then the top-level fields in their documented order; then
 * the root node, where a node's own fields come before its extra, values and children.
 *
 * <p>One instance decodes one record (it holds the parser and the first error seen).
 */
final class TreeJsonReader {
    private static final int TOP_FIELDS = 10;
    private static final String[] TOP = {"id", "service", "host", "pid", "thread", "metric", "unit", "overhead_ns", "dropped", "mode"};
    private static final boolean[] TOP_TEXT = {true, true, true, false, true, true, true, false, false, true};
    private static final boolean[] TOP_NON_EMPTY = {true, false, false, false, false, true, true, false, false, false};

    private final JsonParser p;

    private TreeJsonReader(JsonParser p) { this.p = p; }

    static HiQTree read(JsonFactory factory, byte[] json) throws TreeFormatException {
        try (JsonParser p = factory.createParser(json)) {
            return new TreeJsonReader(p).tree();
        } catch (JsonProcessingException e) {
            throw new TreeFormatException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new TreeFormatException("unreadable: " + e.getMessage());
        }
    }

    private HiQTree tree() throws IOException, TreeFormatException {
        JsonToken t = p.nextToken();
        if (t == null || t == JsonToken.VALUE_NULL) throw new TreeFormatException("null record");
        if (t != JsonToken.START_OBJECT) throw new TreeFormatException("not a JSON object but " + typeName(t));

        boolean schemaSeen = false;
        String schemaError = null;
        Object[] top = new Object[TOP_FIELDS];      // String, Long, or a JsonToken naming the wrong type
        boolean[] flags = new boolean[3];
        String flagError = null;
        Object partOf = null;                      // String, or a JsonToken naming the wrong type
        boolean rootSeen = false;
        HiQNode root = null;
        String rootError = null;

        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "schema" -> {
                    schemaSeen = true;
                    schemaError = v == JsonToken.VALUE_STRING && HiQTree.SCHEMA.equals(p.getText()) ? null
                            : "field 'schema': unsupported value " + clip(rawText(v)) + ", expected \"" + HiQTree.SCHEMA + "\"";
                }
                case "truncated", "partial", "broken" -> {
                    int k = f.equals("truncated") ? 0 : f.equals("partial") ? 1 : 2;
                    if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
                        flags[k] = v == JsonToken.VALUE_TRUE;
                    } else if (v != JsonToken.VALUE_NULL) {
                        if (flagError == null) flagError = "field '" + f + "': not a boolean";
                        p.skipChildren();
                    } else flags[k] = false;
                }
                case "part_of" -> {
                    partOf = v == JsonToken.VALUE_STRING ? p.getText() : v == JsonToken.VALUE_NULL ? null : v;
                    p.skipChildren();
                }
                case "root" -> {
                    rootSeen = true;
                    NodeReading r = new NodeReading();
                    root = node(v, 0, r);
                    rootError = r.error == null ? null : r.error.message("root");
                }
                default -> {
                    int k = topIndex(f);
                    if (k < 0) {
                        p.skipChildren(); // fields added by later versions are ignored
                    } else if (v == JsonToken.VALUE_STRING && TOP_TEXT[k]) {
                        top[k] = p.getText();
                    } else if ((v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) && !TOP_TEXT[k]) {
                        top[k] = longValue();
                    } else {
                        top[k] = v == JsonToken.VALUE_NULL ? null : v;
                        p.skipChildren();
                    }
                }
            }
        }
        if (t != JsonToken.END_OBJECT) throw new TreeFormatException("not valid JSON: unexpected " + t);

        if (!schemaSeen) throw new TreeFormatException("field 'schema' missing");
        if (schemaError != null) throw new TreeFormatException(schemaError);
        HiQTree.Builder b = HiQTree.builder();
        b.id(text(top, 0)).service(text(top, 1)).host(text(top, 2)).pid(number(top, 3)).thread(text(top, 4))
                .metric(text(top, 5)).unit(text(top, 6)).overheadNs(number(top, 7)).dropped(number(top, 8));
        if (top[9] instanceof String mode) b.mode(mode);
        if (flagError != null) throw new TreeFormatException(flagError);
        b.truncated(flags[0]).partial(flags[1]).broken(flags[2]);
        if (partOf != null) {
            if (!(partOf instanceof String po)) throw new TreeFormatException("field 'part_of': not a string");
            if (po.isEmpty()) throw new TreeFormatException("field 'part_of': empty");
            b.partOf(po);
        }
        if (!rootSeen) throw new TreeFormatException("field 'root' missing");
        if (rootError != null) throw new TreeFormatException(rootError);
        return b.root(root).build();
    }

    private static int topIndex(String f) {
        for (int i = 0; i < TOP_FIELDS; i++) if (TOP[i].equals(f)) return i;
        return -1;
    }

    private static String text(Object[] top, int k) throws TreeFormatException {
        Object v = top[k];
        if (v == null) throw new TreeFormatException("field '" + TOP[k] + "' missing");
        if (!(v instanceof String s)) throw new TreeFormatException("field '" + TOP[k] + "': not a string");
        if (TOP_NON_EMPTY[k] && s.isEmpty()) throw new TreeFormatException("field '" + TOP[k] + "': empty");
        return s;
    }

    private static long number(Object[] top, int k) throws TreeFormatException {
        Object v = top[k];
        if (v == null) throw new TreeFormatException("field '" + TOP[k] + "' missing");
        if (!(v instanceof Long l)) throw new TreeFormatException("field '" + TOP[k] + "': not a number");
        return l;
    }

    /** The first error found in a node's subtree, with the child indices that lead to it (built into a path lazily). */
    private static final class NodeError {
        final String message;            // with a %s where the path goes
        final int[] indices;             // children indices from the node this error was reported against
        final int count;

        NodeError(String message, int[] indices, int count) {
            this.message = message;
            this.indices = indices;
            this.count = count;
        }

        NodeError under(int childIndex) {
            int[] idx = new int[count + 1];
            idx[0] = childIndex;
            System.arraycopy(indices, 0, idx, 1, count);
            return new NodeError(message, idx, count + 1);
        }

        String message(String rootPath) {
            StringBuilder path = new StringBuilder(rootPath);
            for (int i = 0; i < count; i++) path.append(".children[").append(indices[i]).append(']');
            return String.format(message, path);
        }
    }

    /** What reading one node found wrong, if anything. */
    private static final class NodeReading {
        NodeError error;
    }

    private static final String[] NODE_NUMBERS = {"start", "end", "value_start", "value_end"};

    /**
     * Reads one node whose first token is {@code first}. Always consumes the node's whole value;
     * returns null and sets {@code out.error} when it is not a valid node.
     */
    private HiQNode node(JsonToken first, int depth, NodeReading out) throws IOException {
        if (depth > TreeCodec.MAX_DEPTH) {
            p.skipChildren();
            out.error = new NodeError("field '%s': nested deeper than " + TreeCodec.MAX_DEPTH, new int[0], 0);
            return null;
        }
        if (first != JsonToken.START_OBJECT) {
            p.skipChildren();
            out.error = new NodeError("field '%s': not an object", new int[0], 0);
            return null;
        }
        String name = null;
        JsonToken nameType = null;
        long[] nums = new long[4];
        JsonToken[] numType = new JsonToken[4];
        Map<String, Object> extra = null;
        String extraError = null;
        List<String> valueNames = null;
        List<long[]> valuePairs = null;
        String valuesError = null;
        List<HiQNode> children = null;
        NodeError childError = null;
        String childrenError = null;

        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "name" -> {
                    nameType = v;
                    name = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                }
                case "start", "end", "value_start", "value_end" -> {
                    int k = f.equals("start") ? 0 : f.equals("end") ? 1 : f.equals("value_start") ? 2 : 3;
                    numType[k] = v;
                    if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) nums[k] = longValue();
                    else p.skipChildren();
                }
                case "extra" -> {
                    extra = null;
                    extraError = null;
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            JsonToken ev = p.nextToken();
                            if (extra == null) extra = new LinkedHashMap<>(4);
                            extra.put(key, plain(ev));
                        }
                    } else if (v != JsonToken.VALUE_NULL) {
                        extraError = "field '%s.extra': not an object";
                        p.skipChildren();
                    }
                }
                case "values" -> {
                    valueNames = null;
                    valuePairs = null;
                    valuesError = null;
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            long[] pair = pair(p.nextToken());
                            if (pair == null) {
                                if (valuesError == null) valuesError = "field '%s.values." + key.replace("%", "%%") + "': not a [start,end] pair";
                            } else {
                                if (valueNames == null) {
                                    valueNames = new ArrayList<>(4);
                                    valuePairs = new ArrayList<>(4);
                                }
                                valueNames.add(key);
                                valuePairs.add(pair);
                            }
                        }
                    } else if (v != JsonToken.VALUE_NULL) {
                        valuesError = "field '%s.values': not an object";
                        p.skipChildren();
                    }
                }
                case "children" -> {
                    children = null;
                    childError = null;
                    childrenError = null;
                    if (v == JsonToken.START_ARRAY) {
                        int i = 0;
                        JsonToken c;
                        while ((c = p.nextToken()) != JsonToken.END_ARRAY) {
                            if (c == null) throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of input in array");
                            NodeReading r = new NodeReading();
                            HiQNode child = node(c, depth + 1, r);
                            if (r.error != null) {
                                if (childError == null) childError = r.error.under(i);
                            } else if (childError == null) {
                                if (children == null) children = new ArrayList<>(4);
                                children.add(child);
                            }
                            i++;
                        }
                    } else if (v != JsonToken.VALUE_NULL) {
                        childrenError = "field '%s.children': not an array";
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + t);

        String own = null;
        if (nameType == null || nameType == JsonToken.VALUE_NULL) own = "field '%s.name' missing";
        else if (nameType != JsonToken.VALUE_STRING) own = "field '%s.name': not a string";
        else if (name.isEmpty()) own = "field '%s.name': empty";
        for (int k = 0; k < 4 && own == null; k++) {
            JsonToken nt = numType[k];
            if (nt == null || nt == JsonToken.VALUE_NULL) own = "field '%s." + NODE_NUMBERS[k] + "' missing";
            else if (nt != JsonToken.VALUE_NUMBER_INT && nt != JsonToken.VALUE_NUMBER_FLOAT) own = "field '%s." + NODE_NUMBERS[k] + "': not a number";
        }
        if (own == null) own = extraError;
        if (own == null) own = valuesError;
        if (own == null) own = childrenError;
        if (own != null) {
            out.error = new NodeError(own, new int[0], 0);
            return null;
        }
        if (childError != null) {
            out.error = childError;
            return null;
        }
        HiQNode n = HiQNode.of(name, nums[0], nums[1], nums[2], nums[3]);
        if (extra != null) for (Map.Entry<String, Object> e : extra.entrySet()) n.putExtra(e.getKey(), e.getValue());
        if (valueNames != null) {
            for (int i = 0; i < valueNames.size(); i++) n.putValues(valueNames.get(i), valuePairs.get(i)[0], valuePairs.get(i)[1]);
        }
        if (children != null) for (HiQNode c : children) n.addChild(c);
        return n;
    }

    /**
     * The current number as a long, as the former decoder read it: fractions cut, integers beyond
     * 64 bits reduced to their low 64 bits (rather than failing the whole record).
     */
    private long longValue() throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return p.getBigIntegerValue().longValue();
        }
        if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) return (long) p.getDoubleValue();
        return p.getLongValue();
    }

    /** A {@code [start, end]} pair of numbers, or null (the value is consumed either way). */
    private long[] pair(JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            p.skipChildren();
            return null;
        }
        long[] out = new long[2];
        int n = 0;
        boolean ok = true;
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e == null) throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of input in array");
            if ((e == JsonToken.VALUE_NUMBER_INT || e == JsonToken.VALUE_NUMBER_FLOAT) && n < 2) out[n] = longValue();
            else ok = false;
            p.skipChildren();
            n++;
        }
        return ok && n == 2 ? out : null;
    }

    /** An extra's value as plain Java: String, Long, Double, Boolean, null, or Map/List for structures. */
    private Object plain(JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> longValue();
            case VALUE_NUMBER_FLOAT -> p.getValueAsDouble();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    m.put(k, plain(p.nextToken()));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (e == null) throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of input in array");
                    l.add(plain(e));
                }
                yield l;
            }
            default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected " + t);
        };
    }

    /** The JSON text of a scalar value (for the schema message); structures are summarised. */
    private String rawText(JsonToken v) throws IOException {
        return switch (v) {
            case VALUE_STRING -> '"' + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                    .quoteAsString(p.getText())) + '"';
            case START_OBJECT, START_ARRAY -> structureText(); // error path only
            default -> p.getText();
        };
    }

    /** A structure's JSON text, or a summary where jackson-databind is not there (the agent jar). */
    private String structureText() throws IOException {
        try {
            return TreeCodec.Databind.treeText(p);
        } catch (LinkageError noDatabind) {
            p.skipChildren();
            return p.currentToken() == JsonToken.END_ARRAY ? "[...]" : "{...}";
        }
    }

    private static String typeName(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            default -> t.name().toLowerCase();
        };
    }

    private static String clip(String s) { return s.length() > 64 ? s.substring(0, 64) + "…" : s; }
}
