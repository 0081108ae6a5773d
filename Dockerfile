# Switchboard node image: built with Maven, run as a non-root user on a JRE.
#   docker build -t switchboard .
#   docker run -p 8080:8080 -e SWITCHBOARD_AUTH_JWT_SECRET=… switchboard
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml cluster.xml ./
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app switchboard
WORKDIR /app
COPY --from=build /src/target/switchboard.jar /app/switchboard.jar
USER 10001
# HTTP/WebSocket, Hazelcast members
EXPOSE 8080 5701
# the jar's manifest carries Hazelcast's --add-opens; these size the heap to the container
ENV JAVA_OPTS="-XX:+UseG1GC -XX:MaxRAMPercentage=55 -XX:MaxDirectMemorySize=256m -XX:+ExitOnOutOfMemoryError"
# on the port the node listens on (SWITCHBOARD_HTTP_PORT); plain HTTP: with http.tls.* set, use
# the orchestrator's own HTTPS probe instead
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${SWITCHBOARD_HTTP_PORT:-8080} && printf "GET /ready HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/switchboard.jar \"$@\"", "switchboard"]
