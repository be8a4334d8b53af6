package io.videoworker.worker.task;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.videoworker.worker.spool.PartFile;
import io.videoworker.worker.spool.Task;
import org.junit.jupiter.api.Test;

/**
 * Task state has one owner: of the worker's own code, only the task store, its drafts (the
 * lifecycle's transitions) and Task itself write a task's fields, so a task handed out is a
 * snapshot nobody changes. The announced parts are made by the G3 request's parser, before any
 * task holds them. Checked on the compiled classes, so a new writer anywhere fails the build.
 */
class TaskOwnershipTest {
    private static final JavaClasses WORKER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.videoworker.worker");

    private static DescribedPredicate<JavaFieldAccess> setsAFieldOf(Class<?> owner) {
        return DescribedPredicate.describe("sets a field of " + owner.getSimpleName(),
                a -> a.getAccessType() == JavaFieldAccess.AccessType.SET && a.getTarget().getOwner().isEquivalentTo(owner));
    }

    @Test
    void onlyTheStoreAndItsDraftsWriteATask() {
        noClasses().that().doNotBelongToAnyOf(LocalTaskStore.class, SharedTaskStore.class, TaskDraft.class, Task.class)
                .should().accessFieldWhere(setsAFieldOf(Task.class))
                .because("a task handed out is a snapshot: every change goes through TaskStore.update")
                .check(WORKER);
    }

    @Test
    void onlyTheDraftsAndTheRequestParserWriteAPart() {
        noClasses().that().doNotBelongToAnyOf(TaskDraft.class, PartFile.class)
                .and().doNotHaveFullyQualifiedName("io.videoworker.worker.pool.PartsRequest")
                .should().accessFieldWhere(setsAFieldOf(PartFile.class))
                .because("a received part is recorded by TaskDraft.partReceived, under the task's lock")
                .check(WORKER);
    }
}
