package io.ax.core.rest;

import java.util.Objects;

/** An HTTP status and a JSON body, already serialised. */
public record RestResponse(int status, String json) {
  public RestResponse {
    Objects.requireNonNull(json, "json");
  }
}
