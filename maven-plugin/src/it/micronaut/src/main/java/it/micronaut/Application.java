package it.micronaut;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.runtime.Micronaut;
import java.util.Map;

@Controller("/hello")
public class Application {
  public static void main(String[] args) {
    Micronaut.run(Application.class, args);
  }

  @Get
  public Map<String, String> hello() {
    return Map.of("framework", "micronaut", "greeting", "hello");
  }
}
