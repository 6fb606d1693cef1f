package io.ax.core.admin;

import com.google.protobuf.Message;
import io.ax.admin.v1.EventType;
import io.ax.core.state.DataplaneState;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One resource type of the admin API as the watch machinery sees it: how to find its items in a
 * snapshot (by id) and how to wrap one in its event message.
 *
 * @param <T> the model type, compared with {@code equals} to find changes
 * @param <E> the event message
 */
record ResourceKind<T, E extends Message>(
    String name, Function<DataplaneState, Map<String, T>> items, BiFunction<EventType, T, E> event, E synced) {
  ResourceKind {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(synced, "synced");
  }
}
