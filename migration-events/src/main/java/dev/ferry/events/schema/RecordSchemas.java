package dev.ferry.events.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.events.EventCodec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The JSON Schema (draft 2020-12) of a contract record, derived from the record itself, as {@link EventCodec} writes
 * it: one property per component, nested records under {@code $defs}, enums with their values.
 * <p>
 * A field is <em>required</em> (present and not null in every record) when it is a primitive, which Jackson always
 * writes, or when the record's own {@code validate()} refuses every example record with that field set to null:
 * {@code validate()} stays the one home of what a consumer may rely on, and the schema follows it. Everything else may
 * be null, or absent in records written before it existed.
 */
public final class RecordSchemas {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String DRAFT = "https://json-schema.org/draft/2020-12/schema";

    private final Javadoc javadoc;

    /** @param sources the contract module's {@code src/main/java}, for descriptions; null: without them */
    public RecordSchemas(java.nio.file.Path sources) {
        this.javadoc = new Javadoc(sources);
    }

    /** The schema of {@code type}'s records; {@code examples} are valid records of it, also published as examples. */
    public <R extends Record> ObjectNode schema(Class<R> type, List<R> examples, int contract) {
        ObjectNode schema = NODES.objectNode();
        schema.put("$schema", DRAFT);
        schema.put("$id", "urn:ferry:contract:" + contract + ":" + type.getSimpleName());
        schema.put("title", type.getSimpleName());
        Map<String, ObjectNode> defs = new TreeMap<>();
        describe(type, schema, defs, required(type, examples));
        ObjectNode version = NODES.objectNode().put("type", "integer").put("minimum", 1)
                .put("description", "the contract version the record was written under; absent in records of version 1");
        ((ObjectNode) schema.get("properties")).set("contract", version);
        if (!defs.isEmpty()) {
            schema.set("$defs", JSON.valueToTree(defs));
        }
        ArrayNode shown = schema.putArray("examples");
        examples.forEach(e -> shown.add(json(e)));
        return schema;
    }

    /** A record as it travels: what {@link EventCodec} writes, contract version included. */
    public static ObjectNode json(Record record) {
        try {
            return (ObjectNode) JSON.readTree(EventCodec.toJson(record));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void describe(Class<?> type, ObjectNode into, Map<String, ObjectNode> defs, List<String> required) {
        Javadoc.Text text = javadoc.of(type);
        if (text.summary() != null) {
            into.put("description", text.summary());
        }
        into.put("type", "object");
        ObjectNode properties = into.putObject("properties");
        ArrayNode mandatory = NODES.arrayNode();
        for (RecordComponent c : type.getRecordComponents()) {
            boolean present = c.getType().isPrimitive() || required.contains(c.getName());
            ObjectNode property = type(c.getGenericType(), defs, !present);
            String words = text.fields().get(c.getName());
            if (words != null) {
                property.put("description", words);
            }
            properties.set(c.getName(), property);
            if (present) {
                mandatory.add(c.getName());
            }
        }
        into.set("required", mandatory);
    }

    private ObjectNode type(Type type, Map<String, ObjectNode> defs, boolean nullable) {
        if (type instanceof ParameterizedType list && list.getRawType() == List.class) {
            ObjectNode array = simple("array", nullable);
            array.set("items", type(list.getActualTypeArguments()[0], defs, false));
            return array;
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return simple("string", nullable);
        }
        if (c == UUID.class || c == Instant.class) {
            return simple("string", nullable).put("format", c == UUID.class ? "uuid" : "date-time");
        }
        if (c == int.class || c == long.class || c == Integer.class || c == Long.class) {
            return simple("integer", nullable);
        }
        if (c == double.class || c == Double.class) {
            return simple("number", nullable);
        }
        if (c == boolean.class || c == Boolean.class) {
            return simple("boolean", nullable);
        }
        if (c.isEnum()) {
            ObjectNode e = simple("string", nullable);
            ArrayNode values = e.putArray("enum");
            for (Object constant : c.getEnumConstants()) {
                values.add(((Enum<?>) constant).name());
            }
            if (nullable) {
                values.addNull();
            }
            return e;
        }
        if (c.isRecord()) {
            String name = defName(c);
            if (!defs.containsKey(name)) {
                ObjectNode def = NODES.objectNode();
                defs.put(name, def); // before its fields: a record that contains itself refers to this entry
                describe(c, def, defs, List.of());
            }
            ObjectNode ref = NODES.objectNode().put("$ref", "#/$defs/" + name);
            return nullable ? NODES.objectNode().set("anyOf", NODES.arrayNode().add(ref).add(NODES.objectNode().put("type", "null"))) : ref;
        }
        throw new IllegalArgumentException("no JSON Schema mapping for " + c.getName() + ": add one to RecordSchemas");
    }

    private static ObjectNode simple(String type, boolean nullable) {
        ObjectNode node = NODES.objectNode();
        if (nullable) {
            node.set("type", NODES.arrayNode().add(type).add("null"));
        } else {
            node.put("type", type);
        }
        return node;
    }

    /** HostReport.Cpu is "HostReport.Cpu": nested names are unique only with their owner's. */
    static String defName(Class<?> c) {
        return c.getEnclosingClass() == null ? c.getSimpleName() : defName(c.getEnclosingClass()) + "." + c.getSimpleName();
    }

    /** The object-typed fields {@code validate()} refuses to see null in any of the examples. */
    static <R extends Record> List<String> required(Class<R> type, List<R> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(type.getSimpleName() + " needs at least one example record");
        }
        Method validate;
        try {
            validate = type.getMethod("validate");
        } catch (NoSuchMethodException e) {
            return List.of(); // nothing checks it: nothing but primitives can be relied on
        }
        RecordComponent[] components = type.getRecordComponents();
        List<String> required = new ArrayList<>();
        for (int i = 0; i < components.length; i++) {
            if (components[i].getType().isPrimitive()) {
                continue;
            }
            boolean refusedEverywhere = true;
            for (R example : examples) {
                refusedEverywhere &= !valid(validate, with(type, example, i, null));
            }
            if (refusedEverywhere) {
                required.add(components[i].getName());
            }
        }
        for (R example : examples) {
            if (!valid(validate, example)) {
                throw new IllegalArgumentException("an example " + type.getSimpleName() + " is not valid: " + example);
            }
        }
        return required;
    }

    private static boolean valid(Method validate, Object record) {
        if (record == null) {
            return false; // the constructor itself refused the null
        }
        try {
            validate.invoke(record);
            return true;
        } catch (InvocationTargetException refused) {
            return false;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of {@code record} with component {@code index} replaced; null when the constructor refuses it. */
    private static <R extends Record> R with(Class<R> type, R record, int index, Object value) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                args[i] = i == index ? value : components[i].getAccessor().invoke(record);
            }
            return type.getDeclaredConstructor(types).newInstance(args);
        } catch (InvocationTargetException refused) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
