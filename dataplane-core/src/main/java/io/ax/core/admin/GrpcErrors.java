package io.ax.core.admin;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import io.ax.core.field.InvalidFieldException;
import io.ax.core.state.ResourceException;
import io.ax.core.state.StateWriteException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps the daemon's error channel to gRPC statuses: one clear description for the client, a
 * {@link BadRequest} detail naming the field for invalid input, never a stack trace on the wire.
 */
final class GrpcErrors {
  private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  static StatusRuntimeException toStatus(String call, Throwable t) {
    return switch (t) {
      case InvalidFieldException e -> {
        BadRequest detail = BadRequest.newBuilder()
            .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField(e.field()).setDescription(e.reason()))
            .build();
        yield StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT_VALUE)
            .setMessage(e.getMessage())
            .addDetails(Any.pack(detail))
            .build());
      }
      case ResourceException e -> status(switch (e.kind()) {
        case ALREADY_EXISTS -> Code.ALREADY_EXISTS;
        case NOT_FOUND -> Code.NOT_FOUND;
        case CONFLICT -> Code.FAILED_PRECONDITION;
      }, e.getMessage());
      case StateWriteException e -> {
        log.error("[admin] {}: {}", call, e.getMessage());
        yield status(Code.UNAVAILABLE, e.getMessage());
      }
      default -> {
        log.error("[admin] {} failed", call, t);
        yield status(Code.INTERNAL, "internal error in " + call + "; the daemon log has the details");
      }
    };
  }

  private static StatusRuntimeException status(Code code, String message) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message).build());
  }
}
