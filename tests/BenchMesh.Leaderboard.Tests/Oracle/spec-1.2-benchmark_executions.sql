-- SPECIFICATION.md §1.2, verbatim: the oracle's benchmark_executions (run with search_path set to a scratch schema).
CREATE TABLE benchmark_executions (
    id UUID PRIMARY KEY,
    suite_id UUID NOT NULL,
    benchmark_id UUID NOT NULL,
    agent_id UUID NOT NULL,
    agent_version VARCHAR(50),
    workspace_id UUID NOT NULL,
    
    -- Execution context
    execution_environment JSONB, -- Hardware specs, runtime config
    model_configuration JSONB,
    
    -- Performance metrics
    start_time TIMESTAMP NOT NULL,
    end_time TIMESTAMP NOT NULL,
    total_duration_ms INTEGER,
    
    -- Core metrics
    accuracy_score FLOAT,
    speed_score FLOAT,
    efficiency_score FLOAT,
    cost_score FLOAT,
    reliability_score FLOAT,
    
    -- Detailed metrics
    tokens_used INTEGER,
    api_calls_made INTEGER,
    memory_peak_mb FLOAT,
    cpu_usage_percent FLOAT,
    
    -- Quality metrics
    output_correctness FLOAT,
    output_completeness FLOAT,
    output_relevance FLOAT,
    
    -- Comparative metrics
    percentile_rank FLOAT,
    deviation_from_baseline FLOAT,
    
    status VARCHAR(20),
    error_details TEXT,
    
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_benchmark_exec_agent ON benchmark_executions(agent_id, created_at);
CREATE INDEX idx_benchmark_exec_suite ON benchmark_executions(suite_id, benchmark_id);
CREATE INDEX idx_benchmark_exec_scores ON benchmark_executions(accuracy_score, speed_score);
