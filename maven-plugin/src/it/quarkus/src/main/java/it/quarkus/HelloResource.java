package it.quarkus;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

@Path("/hello")
public class HelloResource {
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, String> hello() {
    return Map.of("framework", "quarkus", "greeting", "hello");
  }
}
